package dev.mosaic.property;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.e2e.Cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI in-process ({@code Main.run}), with the JSON documents of plan and apply read back. */
final class Runs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Runs() {
    }

    /** What one apply reported: address → "action status" for each resource that was not unchanged. */
    record Applied(Cli.Result result, Map<String, String> outcomes, JsonNode summary) {
    }

    /** What one plan listed: address → "action status cause" for each change, deferral or failure. */
    record Planned(Cli.Result result, Map<String, String> changes) {
    }

    /** {@code apply --json --allow-delete [extra…]}; fails the try unless it exits 0. */
    static Applied apply(Path root, Path playbook, String context, String... extra) {
        List<String> args = new ArrayList<>(List.of("apply", "--json", "--allow-delete", "--root", root.toString()));
        args.addAll(List.of(extra));
        args.add(playbook.toString());
        Cli.Result r = Cli.inProcess(args.toArray(String[]::new));
        assertThat(r.exitCode()).as("%s: %s", context, r).isZero();
        JsonNode summary = null;
        for (String line : r.stdoutLines()) {
            JsonNode n = read(line);
            if ("summary".equals(n.path("event").asText())) {
                summary = n;
            }
        }
        assertThat(summary).as("%s: the apply document: %s", context, r).isNotNull();
        Map<String, String> outcomes = new TreeMap<>();
        for (JsonNode o : summary.get("outcomes")) {
            outcomes.put(o.get("address").asText(), o.get("action").asText() + " " + o.get("status").asText());
        }
        return new Applied(r, outcomes, summary.get("summary"));
    }

    /** {@code plan --json}; fails the try unless it exits 0. */
    static Planned plan(Path root, Path playbook, String context) {
        Cli.Result r = Cli.inProcess("plan", "--json", "--root", root.toString(), playbook.toString());
        assertThat(r.exitCode()).as("%s: %s", context, r).isZero();
        JsonNode doc = read(r.stdout());
        Map<String, String> changes = new TreeMap<>();
        for (JsonNode c : doc.get("changes")) {
            changes.put(c.get("address").asText(), c.get("action").asText() + " " + c.get("status").asText() + " "
                    + c.path("cause").asText(""));
        }
        return new Planned(r, changes);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** The lines of a tree snapshot that differ between two snapshots, marked - and +. */
    static List<String> difference(List<String> before, List<String> after) {
        List<String> out = new ArrayList<>();
        before.stream().filter(l -> !after.contains(l)).forEach(l -> out.add("- " + l));
        after.stream().filter(l -> !before.contains(l)).forEach(l -> out.add("+ " + l));
        return out;
    }
}
