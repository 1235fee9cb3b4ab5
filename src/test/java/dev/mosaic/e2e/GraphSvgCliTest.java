package dev.mosaic.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mosaic graph --format svg} through the real command line: the picture, drawn by the same
 * renderer as the apply report's graph, parses as SVG and shows what a plan would change.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GraphSvgCliTest {

    @TempDir
    Path tmp;

    private Path root;

    @BeforeEach
    void playbook() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  srv: { type: directory, path: /srv }
                  motd: { type: file, path: /srv/motd, content: "hello\\n" }
                  link: { type: link, path: /srv/current, target: /srv/motd, requires: [srv] }
                """);
    }

    @Test
    void svg_with_plan_is_valid_svg_whose_changing_resources_are_filled_by_action() throws Exception {
        Cli.Result apply = Cli.inProcess("apply", "--root", root.toString(), "--cache-dir", tmp.resolve("cache").toString(),
                tmp.resolve("site.yml").toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        Files.writeString(root.resolve("srv/motd"), "edited by hand\n"); // drift: update
        Files.delete(root.resolve("srv/current")); // gone: create

        Cli.Result r = Cli.in(tmp).run("graph", "--format", "svg", "--plan", "--root", root.toString(), "site.yml");

        assertThat(r.exitCode()).as("%s", r).isZero();
        Document svg = parseXml(r.stdout());
        assertThat(svg.getDocumentElement().getLocalName()).as("%s", r).isEqualTo("svg");
        Map<String, Element> nodes = nodesByTitle(svg);
        assertThat(nodes).as("%s", r).containsKeys("directory[srv]", "file[motd]", "link[link]",
                "legend:create", "legend:update", "legend:replace", "legend:delete");
        assertThat(shapeFill(nodes.get("file[motd]"))).as("%s", r).isEqualTo("#fff59d");
        assertThat(text(nodes.get("file[motd]"))).isEqualTo("~ file[motd]");
        assertThat(shapeFill(nodes.get("link[link]"))).as("%s", r).isEqualTo("#c8e6c9");
        assertThat(text(nodes.get("link[link]"))).isEqualTo("+ link[link]");
        assertThat(shapeFill(nodes.get("directory[srv]"))).as("unchanged: white").isEqualTo("#ffffff");
        assertThat(text(nodes.get("legend:update"))).isEqualTo("~ update");
        assertThat(r.stdout()).contains(">Plan: 1 to create, 1 to update, 0 to replace, 0 to delete, 0 to refresh, 1 unchanged.");
        assertThat(Files.readString(root.resolve("srv/motd"))).as("graph --plan writes nothing").isEqualTo("edited by hand\n");
    }

    @Test
    void svg_names_each_module_once_above_its_resources_not_in_every_box() throws Exception {
        Files.createDirectories(tmp.resolve("modules/motd"));
        Files.writeString(tmp.resolve("modules/motd/module.yml"), """
                name: motd
                params: { path: { type: string } }
                resources:
                  one: { type: file, path: "${path}/one", content: "1\\n" }
                  two: { type: file, path: "${path}/two", content: "2\\n" }
                """);
        Files.writeString(tmp.resolve("mods.yml"), """
                modules:
                  greeting: { source: ./modules/motd, with: { path: /srv } }
                """);

        Cli.Result r = Cli.in(tmp).run("graph", "--format", "svg", "mods.yml");

        assertThat(r.exitCode()).as("%s", r).isZero();
        Document svg = parseXml(r.stdout());
        Map<String, Element> nodes = nodesByTitle(svg);
        assertThat(nodes).containsKeys("module.greeting.file[one]", "module.greeting.file[two]");
        assertThat(text(nodes.get("module.greeting.file[one]"))).isEqualTo("file[one]");
        assertThat(r.stdout().split("module\\.greeting</text>", -1)).as("one caption").hasSize(2);
    }

    /** Parses as XML, namespaces on, never fetching a DTD (no network in tests). */
    private static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    /** Each node is {@code <g class="node" data-addr=ADDRESS><rect style="fill:…"/>…<text>label</text><title>…</title></g>}. */
    private static Map<String, Element> nodesByTitle(Document svg) {
        Map<String, Element> nodes = new HashMap<>();
        NodeList groups = svg.getElementsByTagNameNS("*", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("node")) {
                nodes.put(g.getAttribute("data-addr"), g);
            }
        }
        return nodes;
    }

    private static String shapeFill(Element node) {
        String style = ((Element) node.getElementsByTagNameNS("*", "rect").item(0)).getAttribute("style");
        return style.replaceAll(".*fill:([^;]*).*", "$1");
    }

    private static String text(Element node) {
        return node.getElementsByTagNameNS("*", "text").item(0).getTextContent();
    }
}
