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
 * {@code mosaic graph --format svg} through the real command line and Graphviz's {@code dot}
 * (package graphviz, which bin/test installs): the picture parses as SVG and shows what a plan
 * would change; without {@code dot}, one line says what to install.
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

        Cli.Result r = Cli.in(tmp).withEnv(noDotOverride())
                .run("graph", "--format", "svg", "--plan", "--root", root.toString(), "site.yml");

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
        assertThat(shapeFill(nodes.get("directory[srv]"))).as("unchanged: not filled").isEqualTo("none");
        assertThat(text(nodes.get("legend:update"))).isEqualTo("~ update");
        assertThat(r.stdout()).contains("Plan: 1 to create, 1 to update, 0 to replace, 0 to delete, 0 to refresh, 1 unchanged.");
        assertThat(Files.readString(root.resolve("srv/motd"))).as("graph --plan writes nothing").isEqualTo("edited by hand\n");
    }

    @Test
    void svg_without_dot_says_in_one_line_to_install_graphviz_and_exits_1() {
        Path missing = tmp.resolve("no-such-dir/dot");
        Cli.Result r = Cli.in(tmp).withEnv(Map.of("MOSAIC_DOT", missing.toString()))
                .run("graph", "--format", "svg", "site.yml");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stdout()).as("%s", r).isEmpty();
        assertThat(r.stderr()).as("%s", r).isEqualTo("mosaic graph: --format svg needs Graphviz's 'dot', not found at "
                + missing + " (MOSAIC_DOT); install the graphviz package (apt install graphviz), or use --format dot\n");
    }

    /** The environment of the test JVM may name a dot of its own; the real lookup (PATH) is under test. */
    private static Map<String, String> noDotOverride() {
        Map<String, String> env = new HashMap<>();
        env.put("MOSAIC_DOT", null);
        return env;
    }

    /** Parses without fetching the SVG 1.1 DTD that dot's output names (no network in tests). */
    private static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    /** dot draws each node as {@code <g class="node"><title>ID</title><polygon fill=…/><text>label</text></g>}. */
    private static Map<String, Element> nodesByTitle(Document svg) {
        Map<String, Element> nodes = new HashMap<>();
        NodeList groups = svg.getElementsByTagNameNS("*", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("class").equals("node")) {
                nodes.put(g.getElementsByTagNameNS("*", "title").item(0).getTextContent(), g);
            }
        }
        return nodes;
    }

    private static String shapeFill(Element node) {
        return ((Element) node.getElementsByTagNameNS("*", "polygon").item(0)).getAttribute("fill");
    }

    private static String text(Element node) {
        return node.getElementsByTagNameNS("*", "text").item(0).getTextContent();
    }
}
