package dev.mosaic.netboot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/** The {@code mosaic} command line, run through its real entry point {@link Main#run} in the test JVM. */
final class MosaicCli {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MosaicCli() {
    }

    /** What one run printed and returned; {@link #toString()} shows all of it, for failure messages. */
    record Result(List<String> args, int exitCode, String stdout, String stderr) {

        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + this, e);
            }
        }

        /** The planned change of {@code address} in a {@code plan --json} output (null: none). */
        JsonNode change(String address) {
            return StreamSupport.stream(json().path("changes").spliterator(), false)
                    .filter(c -> c.path("address").asText().equals(address)).findFirst().orElse(null);
        }

        /** The addresses that {@code plan --json} lists as changing. */
        List<String> changedAddresses() {
            return StreamSupport.stream(json().path("changes").spliterator(), false)
                    .map(c -> c.path("address").asText()).toList();
        }

        @Override
        public String toString() {
            return "mosaic " + String.join(" ", args) + "\n-- exit code: " + exitCode
                    + "\n-- stdout:\n" + stdout + "\n-- stderr:\n" + stderr;
        }
    }

    static Result run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(List.of(args), code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code command --root ROOT [extra...] PLAYBOOK}. */
    static List<String> args(String command, java.nio.file.Path root, java.nio.file.Path playbook, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--root", root.toString()));
        a.addAll(List.of(extra));
        a.add(playbook.toString());
        return a;
    }

    /** The names in an array field of a JSON node ({@code added}, {@code removed}, …). */
    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
