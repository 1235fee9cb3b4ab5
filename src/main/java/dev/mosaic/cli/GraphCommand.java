package dev.mosaic.cli;

import dev.mosaic.session.Session;
import dev.mosaic.engine.Plan;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.render.GraphText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print the dependency graph: apply order and every edge with its reason.",
        footerHeading = "%nExamples:%n",
        footer = {"  mosaic graph playbooks/starter.yml",
                "As a picture (Graphviz), modules as boxes:",
                "  mosaic graph playbooks/openmosix-ltsp.yml --format svg > g.svg",
                "What a plan would change, marked by action (colored in pictures):",
                "  mosaic graph playbooks/starter.yml --root /tmp/lab --plan"})
final class GraphCommand implements Callable<Integer> {

    enum Format { text, dot, mermaid, svg }

    /** Names Graphviz's {@code dot} executable when it is not the one on PATH. */
    static final String DOT_ENV = "MOSAIC_DOT";

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Option(names = "--format", description = "text (default), dot (Graphviz), mermaid, or svg (needs Graphviz's dot: package graphviz).")
    Format format = Format.text;

    @Option(names = "--plan",
            description = "Plan against the target (--root, --state-dir, --var, as 'mosaic plan' does; nothing is written) and mark what would change: colored by action with a legend, or the plan's symbols in text.")
    boolean plan;

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    @Mixin
    OneHost one;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (options.json && spec.commandLine().getParseResult().hasMatchedOption("--format")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--json and --format " + format + " are two formats: give one (--json prints the graph, and with --plan the plan, as JSON)");
        }
        Host control = new LocalHost(Path.of("/"));
        String dot = null;
        if (format == Format.svg) {
            // Before planning: a missing tool is known at once, and says how to get it.
            Optional<String> found = findDot(control);
            if (found.isEmpty()) {
                String env = System.getenv(DOT_ENV);
                spec.commandLine().getErr().println("mosaic graph: --format svg needs Graphviz's 'dot', "
                        + (env != null && !env.isBlank() ? "not found at " + env + " (" + DOT_ENV + ")" : "not found on PATH")
                        + "; install the graphviz package (apt install graphviz), or use --format dot");
                return Main.ERROR;
            }
            dot = found.get();
        }
        ResourceGraph g;
        String name;
        Plan p = null;
        if (plan) {
            try (Session t = one.active() ? one.open(playbook, options) : options.open(playbook, false)) {
                p = t.plan(w -> spec.commandLine().getErr().println("warning: " + w));
                g = t.graph();
                name = t.playbook().name();
            }
        } else if (one.active()) {
            Fleet.Member m = one.fleet(playbook, options).members().get(0);
            g = m.graph();
            name = m.playbook().name();
        } else {
            dev.mosaic.playbook.Playbook loaded = options.load(playbook, java.util.Map.of());
            g = Session.graph(loaded);
            name = loaded.name();
        }
        String out = options.json ? dev.mosaic.render.JsonGraph.render(name, g, p) : switch (format) {
            case dot -> GraphText.dot(g, p);
            case mermaid -> GraphText.mermaid(g, p);
            case svg -> svg(control, dot, GraphText.dot(g, p));
            case text -> GraphText.text(g, p);
        };
        spec.commandLine().getOut().print(out);
        spec.commandLine().getOut().flush();
        if (p != null && p.hasErrors()) {
            spec.commandLine().getErr().println("error: the plan has errors (" + (options.json ? "status failed in its document"
                    : "marked !") + "); 'mosaic plan' shows them");
            return Main.ERROR;
        }
        return Main.OK;
    }

    /** {@code $MOSAIC_DOT} when set (and nothing else), else the first executable {@code dot} on PATH. */
    static Optional<String> findDot(Host control) throws IOException {
        String env = System.getenv(DOT_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).toAbsolutePath();
            return isExecutable(control, p.toString()) ? Optional.of(p.toString()) : Optional.empty();
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            if (dir.startsWith("/") && isExecutable(control, dir + "/dot")) {
                return Optional.of(dir + "/dot");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code path}, its symlinks followed (Debian's {@code dot} is one), is an executable file. */
    private static boolean isExecutable(Host control, String path) throws IOException {
        Path p = Path.of(path);
        for (int hops = 0; hops < 40; hops++) {
            FileStat s = control.stat(p.toString());
            if (s.kind() != FileStat.Kind.SYMLINK) {
                return s.isFile() && (s.mode() & 0111) != 0;
            }
            p = p.resolveSibling(s.linkTarget()).normalize();
        }
        return false;
    }

    /**
     * Runs {@code dot -Tsvg} on the DOT text. The picture goes to a temporary file rather than
     * through the output channel, which merges dot's warnings (stderr) into it.
     */
    private static String svg(Host control, String dot, String dotText) throws IOException {
        String tmp = Path.of(System.getProperty("java.io.tmpdir"), "mosaic-graph-" + ProcessHandle.current().pid() + "-"
                + System.nanoTime() + ".svg").toAbsolutePath().toString();
        try {
            Exec.Result r = control.exec(Exec.of("/", dot, "-Tsvg", "-o", tmp)
                    .withStdin(dotText.getBytes(StandardCharsets.UTF_8)).withTimeout(Duration.ofMinutes(2)));
            if (!r.ok()) {
                throw new dev.mosaic.diag.UserError(dot + " -Tsvg " + (r.timedOut() ? "timed out" : "failed (exit " + r.exitCode() + ")")
                        + (r.tail().isEmpty() ? "" : ": " + r.tailText()));
            }
            return new String(control.read(tmp), StandardCharsets.UTF_8);
        } finally {
            if (control.stat(tmp).exists()) {
                control.delete(tmp);
            }
        }
    }
}
