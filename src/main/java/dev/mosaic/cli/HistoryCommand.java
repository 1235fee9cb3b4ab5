package dev.mosaic.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mosaic.state.History;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "history", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "List the past applies (and restores) of a target: id, when, who, playbook, what changed, outcome.",
        footer = {"", "Example:", "  mosaic history --root /tmp/lab", "  mosaic restore 20240501-101500 --root /tmp/lab"})
final class HistoryCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", description = "The target's sandbox root, as given to apply.")
    Path root;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Mosaic's state for the target (default: ROOT/var/lib/mosaic).")
    Path stateDir;

    @Option(names = "--json", description = "Print the history as JSON: {\"applies\": [...]} (schemas/history.schema.json); a failure as schemas/errors.schema.json.")
    boolean json;

    @picocli.CommandLine.Mixin
    OneHost one;

    @Override
    public Integer call() throws IOException {
        History history = History.of(one.stateDirOf(root, stateDir));
        List<History.Run> runs = history.runs();
        PrintWriter out = spec.commandLine().getOut();
        history.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("format_version", "1");
            doc.put("applies", runs);
            out.print(JSON.writeValueAsString(doc) + "\n");
        } else if (runs.isEmpty()) {
            out.println("No applies recorded in " + history.dir() + " (an apply that changes nothing is not recorded).");
        } else {
            for (History.Run r : runs) {
                out.println(r.id() + "  " + localTime(r.started()) + "  " + text(r.user()) + "  " + r.command() + "  "
                        + text(r.playbook()) + "  " + r.outcome());
                if (!r.changed().isEmpty()) {
                    out.println("    " + String.join(", ", r.changed()));
                }
            }
        }
        out.flush();
        return Main.OK;
    }

    /** A recorded instant as this machine's local time, to the second (JSON keeps the UTC instant). */
    static String localTime(String instant) {
        if (instant == null) {
            return "?";
        }
        try {
            return LOCAL.format(java.time.Instant.parse(instant).atZone(java.time.ZoneId.systemDefault()));
        } catch (java.time.DateTimeException e) {
            return instant; // a record from elsewhere: shown as it was stored
        }
    }

    private static final java.time.format.DateTimeFormatter LOCAL =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx");

    private static String text(String s) {
        return s == null ? "?" : s;
    }
}
