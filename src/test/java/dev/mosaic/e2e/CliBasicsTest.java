package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The everyday surface of the command line, through the real entry point in a separate JVM. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CliBasicsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Five kinds of edge-producing resources, a variable, and playbook-relative sources. */
    private static final String PLAYBOOK = """
            name: lab-pxe
            vars:
              tftp_root: /srv/tftp
              kernel_version: "2.6.32"
            resources:
              tftp-root:
                type: directory
                path: ${tftp_root}
                mode: "0755"
              pxe-default:
                type: file
                path: ${tftp_root}/pxelinux.cfg/default
                content: |
                  prompt 0
                  label linux
                    kernel vmlinuz-${kernel_version}
                mode: "0644"
              kernel-link:
                type: link
                path: ${tftp_root}/vmlinuz
                target: vmlinuz-${kernel_version}
              motd:
                type: file
                path: /etc/motd
                source: files/motd
                requires: [pxe-default]
              boot-messages:
                type: copy
                source: files/boot-messages
                dest: ${tftp_root}/boot-messages
                purge: true
            """;

    private static final List<String> ADDRESSES = List.of("directory[tftp-root]", "file[pxe-default]",
            "link[kernel-link]", "file[motd]", "copy[boot-messages]");

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookDir;
    private Path playbook;

    @BeforeEach
    void createPlaybook() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        playbook = playbookDir.resolve("site.yml");
        Files.writeString(playbook, PLAYBOOK);
        Files.createDirectories(playbookDir.resolve("files/boot-messages/help"));
        Files.writeString(playbookDir.resolve("files/motd"), "Welcome to the lab.\n");
        Files.writeString(playbookDir.resolve("files/boot-messages/boot.msg"), "\u000fBoot menu\u0007\n");
        Files.writeString(playbookDir.resolve("files/boot-messages/help/f1.msg"), "F1: help\n");
    }

    private Cli cli() {
        return Cli.in(playbookDir);
    }

    @Test
    void version_prints_the_name_and_version_and_exits_0() {
        for (String flag : List.of("--version", "-V")) {
            Cli.Result r = Cli.here().run(flag);
            assertThat(r.exitCode()).as("%s", r).isZero();
            assertThat(r.stdout()).as("%s", r).matches("mosaic \\S+\\R");
            assertThat(r.stderr()).as("%s", r).isEmpty();
        }
    }

    @Test
    void help_lists_every_command_and_every_command_has_the_help_its_usage_hint_promises() {
        Cli.Result r = Cli.here().run("--help");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).as("%s", r).startsWith("Usage: mosaic");
        for (String command : List.of("validate", "plan", "apply", "graph")) {
            assertThat(r.stdoutLines()).as("%s", r).anyMatch(l -> l.matches("\\s+" + command + "\\s+\\S.*"));
        }

        // A usage error says "Try 'mosaic plan --help'": that must work.
        Cli.Result usage = Cli.here().run("plan");
        assertThat(usage.exitCode()).as("%s", usage).isEqualTo(64);
        assertThat(usage.stderr()).as("%s", usage).contains("Try 'mosaic plan --help'.");
        Cli.Result planHelp = Cli.here().run("plan", "--help");
        assertThat(planHelp.exitCode()).as("%s", planHelp).isZero();
        assertThat(planHelp.stdout()).as("%s", planHelp).startsWith("Usage: mosaic plan")
                .contains("--detailed-exitcode", "--root", "--var", "--json", "--jobs", "PLAYBOOK");
        for (String command : List.of("validate", "apply", "graph")) {
            Cli.Result h = Cli.inProcess(command, "--help");
            assertThat(h.exitCode()).as("%s", h).isZero();
            assertThat(h.stdout()).as("%s", h).startsWith("Usage: mosaic " + command);
        }
    }

    @Test
    void validate_says_ok_with_the_counts_and_touches_nothing() {
        var before = Trees.snapshot(tmp);
        Cli.Result r = cli().run("validate", "site.yml");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).as("%s", r).isEqualTo("site.yml: ok (5 resources, 4 dependencies)\n");
        assertThat(r.stderr()).as("%s", r).isEmpty();
        assertThat(Trees.snapshot(tmp)).as("files after validate").isEqualTo(before);
    }

    @Test
    void graph_in_dot_format_parses_as_a_digraph_of_every_resource_and_edge() {
        Cli.Result r = cli().run("graph", "--format", "dot", "site.yml");
        assertThat(r.exitCode()).as("%s", r).isZero();
        Dot dot = Dot.parse(r.stdout());
        assertThat(dot.directed()).as("%s", r).isTrue();
        assertThat(dot.nodes()).as("%s", r).containsExactlyElementsOf(ADDRESSES);
        assertThat(dot.edges()).as("%s", r).containsExactlyInAnyOrder(
                "directory[tftp-root] -> file[pxe-default] (parent directory)",
                "directory[tftp-root] -> link[kernel-link] (parent directory)",
                "directory[tftp-root] -> copy[boot-messages] (parent directory)",
                "file[pxe-default] -> file[motd] (requires)");

        Cli.Result text = cli().run("graph", "site.yml");
        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.stdoutLines()).as("%s", text).containsSubsequence(
                "resources (apply order):", "  1. directory[tftp-root]", "  2. file[pxe-default]", "edges:",
                "  file[pxe-default] -> file[motd]  (requires)");
        assertThat(text.stdout().indexOf("file[pxe-default]")).isLessThan(text.stdout().indexOf("file[motd]"));
    }

    @Test
    void a_var_override_replaces_the_playbook_value_in_plan_and_apply() throws IOException {
        Cli.Result plan = cli().run("plan", "--var", "kernel_version=5.10.0", "--root", root.toString(), "site.yml");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdoutLines()).as("%s", plan)
                .contains("        +  kernel vmlinuz-5.10.0", "    + target: vmlinuz-5.10.0");
        assertThat(plan.stdout()).as("%s", plan).doesNotContain("2.6.32");

        Cli.Result apply = cli().run("apply", "--var", "kernel_version=5.10.0", "--root", root.toString(), "site.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(Trees.under(root, "/srv/tftp/pxelinux.cfg/default"))
                .hasContent("prompt 0\nlabel linux\n  kernel vmlinuz-5.10.0\n");
        assertThat(Files.readSymbolicLink(Trees.under(root, "/srv/tftp/vmlinuz"))).isEqualTo(Path.of("vmlinuz-5.10.0"));

        // Without the override the playbook's own value is back, as a config change.
        Cli.Result back = cli().run("plan", "--root", root.toString(), "site.yml");
        assertThat(back.stdoutLines()).as("%s", back).contains(
                "# file[pxe-default] will be updated in place (config changed)",
                "        -  kernel vmlinuz-5.10.0",
                "        +  kernel vmlinuz-2.6.32");

        // A variable the playbook does not have is an error, with a suggestion.
        Cli.Result typo = cli().run("plan", "--var", "kernel_verison=1", "--root", root.toString(), "site.yml");
        assertThat(typo.exitCode()).as("%s", typo).isEqualTo(1);
        assertThat(typo.stderr()).as("%s", typo)
                .contains("--var kernel_verison: the playbook has no variable 'kernel_verison' (did you mean 'kernel_version'?)");
    }

    @Test
    void a_json_plan_has_the_changes_and_a_summary_and_exit_codes_follow_the_contract() throws IOException {
        Cli.Result r = cli().run("plan", "--json", "--root", root.toString(), "site.yml");
        assertThat(r.exitCode()).as("without --detailed-exitcode, changes still exit 0: %s", r).isZero();
        JsonNode doc = JSON.readTree(r.stdout());
        assertThat(doc.get("format_version").asText()).isEqualTo("1");
        assertThat(doc.get("playbook").asText()).isEqualTo("lab-pxe");
        List<String> addresses = new ArrayList<>();
        for (JsonNode c : doc.get("changes")) {
            addresses.add(c.get("address").asText());
            assertThat(c.get("action").asText()).isEqualTo("create");
            assertThat(c.get("cause").asText()).isEqualTo("new");
            assertThat(c.get("diffs").isArray()).isTrue();
        }
        assertThat(addresses).containsExactlyElementsOf(ADDRESSES);
        Map<String, Integer> summary = new LinkedHashMap<>();
        doc.get("summary").fields().forEachRemaining(e -> summary.put(e.getKey(), e.getValue().asInt()));
        assertThat(summary).contains(entry("create", 5), entry("update", 0), entry("delete", 0), entry("no-op", 0),
                entry("failed", 0));

        Cli.Result detailed = cli().run("plan", "--json", "--detailed-exitcode", "--root", root.toString(), "site.yml");
        assertThat(detailed.exitCode()).as("%s", detailed).isEqualTo(2);

        Cli.Result apply = Cli.inProcess("apply", "--json", "--root", root.toString(), playbook.toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        List<String> events = apply.stdout().lines().toList();
        for (String line : events) {
            assertThat(JSON.readTree(line).get("event").asText()).as(line).isIn("started", "output", "finished", "summary");
        }
        assertThat(events.stream().filter(l -> l.contains("\"event\":\"finished\"")).count()).isEqualTo(5);
        JsonNode applied = JSON.readTree(events.get(events.size() - 1));
        assertThat(applied.get("event").asText()).isEqualTo("summary");
        assertThat(applied.get("outcomes").size()).isEqualTo(5);
        assertThat(applied.get("summary").get("changed").asInt()).isEqualTo(5);

        Cli.Result none = cli().run("plan", "--json", "--detailed-exitcode", "--root", root.toString(), "site.yml");
        assertThat(none.exitCode()).as("%s", none).isZero();
        JsonNode empty = JSON.readTree(none.stdout());
        assertThat(empty.get("changes").size()).isZero();
        assertThat(empty.get("summary").get("no-op").asInt()).isEqualTo(5);
    }

    @Test
    void relative_sources_are_read_next_to_the_playbook_whatever_the_working_directory() throws IOException {
        // Run from the directory above: "files/motd" must still mean playbook/files/motd.
        Cli.Result apply = Cli.in(tmp).run("apply", "--root", "root", "playbook/site.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdoutLines()).as("%s", apply)
                .contains("Apply complete: 5 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");
        assertThat(Trees.under(root, "/etc/motd")).hasContent("Welcome to the lab.");
        assertThat(Trees.under(root, "/srv/tftp/boot-messages/boot.msg"))
                .hasSameBinaryContentAs(playbookDir.resolve("files/boot-messages/boot.msg"));
        assertThat(Trees.under(root, "/srv/tftp/boot-messages/help/f1.msg")).hasContent("F1: help");

        // A changed source file is a config change (an input of the playbook), not drift.
        Files.writeString(playbookDir.resolve("files/motd"), "Maintenance tonight.\n");
        Cli.Result plan = Cli.in(tmp).run("plan", "--detailed-exitcode", "--root", "root", "playbook/site.yml");
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        assertThat(plan.stdoutLines()).as("%s", plan).contains(
                "# file[motd] will be updated in place (config changed)",
                "        -Welcome to the lab.",
                "        +Maintenance tonight.");
        assertThat(plan.stdoutLines().stream().filter(l -> l.startsWith("# "))).as("%s", plan).hasSize(1);
        Cli.Result again = Cli.in(tmp).run("apply", "--root", "root", "playbook/site.yml");
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(Trees.under(root, "/etc/motd")).hasContent("Maintenance tonight.");
    }

    @Test
    void plan_reads_the_target_but_never_writes_to_it() throws IOException {
        Files.createDirectories(Trees.under(root, "/etc"));
        Files.writeString(Trees.under(root, "/etc/motd"), "someone else's motd\n");
        var before = Trees.snapshot(tmp);
        for (String format : List.of("--json", "--detailed-exitcode")) {
            Cli.Result r = cli().run("plan", format, "--root", root.toString(), "site.yml");
            assertThat(r.exitCode()).as("%s", r).isIn(0, 2);
        }
        assertThat(Trees.snapshot(tmp)).as("files after plan").isEqualTo(before);
        assertThat(Trees.under(root, "/var/lib/mosaic")).doesNotExist();
    }

    @Test
    void output_is_utf_8_even_under_the_C_locale_of_cron_and_service_managers() throws IOException {
        Files.writeString(playbook, """
                name: café
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    description: "Grüße — the message of the day"
                    content: "Bienvenue à l'atelier ✓\\n"
                """);
        Map<String, String> cLocale = new java.util.HashMap<>();
        cLocale.put("LC_ALL", "C");
        cLocale.put("LANG", null);
        cLocale.put("LC_CTYPE", null);
        Cli c = cli().withEnv(cLocale);

        Cli.Result json = c.run("plan", "--json", "--root", root.toString(), "site.yml");
        assertThat(json.exitCode()).as("%s", json).isZero();
        JsonNode change = JSON.readTree(json.stdout()).get("changes").get(0);
        assertThat(change.get("description").asText()).isEqualTo("Grüße — the message of the day");
        assertThat(change.get("diffs").get(0).get("unified").asText()).contains("+Bienvenue à l'atelier ✓");

        Cli.Result text = c.run("plan", "--root", root.toString(), "site.yml");
        assertThat(text.stdoutLines()).as("%s", text).contains(
                "# file[motd] will be created (new) — Grüße — the message of the day",
                "        +Bienvenue à l'atelier ✓");

        Files.writeString(playbook, """
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    größe: 1
                """);
        Cli.Result error = c.run("plan", "--root", root.toString(), "site.yml");
        assertThat(error.exitCode()).as("%s", error).isEqualTo(1);
        assertThat(error.stderr()).as("%s", error).startsWith("site.yml:5:5: error: resource 'motd': unknown field 'größe'");
    }

    // ------------------------------------------------------------------ a small DOT reader

    /**
     * The DOT language's graph statements (no subgraphs), enough to check that {@code graph
     * --format dot} is a well-formed digraph. Edges read as {@code "a -> b (label)"}.
     */
    record Dot(boolean directed, Set<String> nodes, List<String> edges) {

        static Dot parse(String text) {
            Parser p = new Parser(tokens(text));
            p.optional("strict");
            String kind = p.next();
            if (!kind.equals("digraph") && !kind.equals("graph")) {
                throw new IllegalArgumentException("expected graph or digraph, got " + kind);
            }
            boolean directed = kind.equals("digraph");
            if (!p.peek().equals("{")) {
                p.next(); // the graph's name
            }
            p.expect("{");
            Set<String> nodes = new LinkedHashSet<>();
            List<String> edges = new ArrayList<>();
            while (!p.peek().equals("}")) {
                String first = p.id();
                if (p.peek().equals("=")) { // graph attribute: rankdir=LR
                    p.next();
                    p.id();
                } else if (Set.of("graph", "node", "edge").contains(first) && p.peek().equals("[")) {
                    p.attributes();
                } else {
                    List<String> chain = new ArrayList<>(List.of(first));
                    while (p.peek().equals("->") || p.peek().equals("--")) {
                        String op = p.next();
                        if (op.equals("->") != directed) {
                            throw new IllegalArgumentException("edge operator " + op + " in a " + (directed ? "digraph" : "graph"));
                        }
                        chain.add(p.id());
                    }
                    Map<String, String> attrs = p.peek().equals("[") ? p.attributes() : Map.of();
                    if (chain.size() == 1) {
                        nodes.add(first);
                    }
                    for (int i = 0; i + 1 < chain.size(); i++) {
                        edges.add(chain.get(i) + " -> " + chain.get(i + 1) + " (" + attrs.getOrDefault("label", "") + ")");
                    }
                    Set<String> unknown = new HashSet<>(chain);
                    unknown.removeAll(nodes);
                    if (chain.size() > 1 && !unknown.isEmpty()) {
                        throw new IllegalArgumentException("edge to undeclared node(s) " + unknown);
                    }
                }
                p.optional(";");
            }
            p.expect("}");
            if (p.hasMore()) {
                throw new IllegalArgumentException("text after the graph: " + p.peek());
            }
            return new Dot(directed, nodes, edges);
        }

        /** IDs (quoted strings come back unquoted), edge operators and punctuation. */
        static List<String> tokens(String s) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (s.startsWith("->", i) || s.startsWith("--", i)) {
                    out.add(s.substring(i, i + 2));
                    i += 2;
                } else if ("{}[];=,".indexOf(c) >= 0) {
                    out.add(String.valueOf(c));
                    i++;
                } else if (c == '"') {
                    StringBuilder b = new StringBuilder();
                    i++;
                    while (s.charAt(i) != '"') {
                        if (s.charAt(i) == '\\' && s.charAt(i + 1) == '"') {
                            i++;
                        }
                        b.append(s.charAt(i++));
                    }
                    i++;
                    out.add("\u0000" + b); // marks a quoted ID, so "{" in quotes is not punctuation
                } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                    int start = i;
                    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) {
                        i++;
                    }
                    out.add(s.substring(start, i));
                } else {
                    throw new IllegalArgumentException("unexpected character '" + c + "' at offset " + i);
                }
            }
            return out;
        }

        private static final class Parser {
            private final List<String> tokens;
            private int at;

            Parser(List<String> tokens) {
                this.tokens = tokens;
            }

            boolean hasMore() {
                return at < tokens.size();
            }

            String peek() {
                if (!hasMore()) {
                    throw new IllegalArgumentException("unexpected end of the graph");
                }
                return tokens.get(at);
            }

            String next() {
                String t = peek();
                at++;
                return t;
            }

            void expect(String t) {
                String got = next();
                if (!got.equals(t)) {
                    throw new IllegalArgumentException("expected " + t + ", got " + got);
                }
            }

            void optional(String t) {
                if (hasMore() && peek().equals(t)) {
                    at++;
                }
            }

            String id() {
                String t = next();
                if (t.startsWith("\u0000")) {
                    return t.substring(1);
                }
                if (!t.matches("[A-Za-z_0-9.]+")) {
                    throw new IllegalArgumentException("expected an ID, got " + t);
                }
                return t;
            }

            Map<String, String> attributes() {
                Map<String, String> attrs = new LinkedHashMap<>();
                while (hasMore() && peek().equals("[")) {
                    next();
                    while (!peek().equals("]")) {
                        String key = id();
                        expect("=");
                        attrs.put(key, id());
                        optional(",");
                        optional(";");
                    }
                    expect("]");
                }
                return attrs;
            }
        }
    }
}
