package dev.mosaic.cli;

import dev.mosaic.diag.UserError;
import dev.mosaic.engine.ResourceLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show the output of a resource's work (build, patch, apt…) from the last apply that ran it.",
        footerHeading = "%nExamples:%n",
        footer = {"The last 30 lines of the kernel build of playbooks/lab-kernel.yml:",
                "  mosaic logs 'build[bzImage]' --root /tmp/k --tail 30",
                "A module's resource, by its whole address:",
                "  mosaic logs 'module.kernel.build[kernel]' --root /tmp/openmosix"})
final class LogsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "e.g. build[bzImage] or module.kernel.build[kernel] (or its log's name, build.bzImage)")
    String address;

    @Option(names = "--root", paramLabel = "DIR", description = "The target's sandbox root, as given to apply.")
    Path root;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Mosaic's state for the target (default: ROOT/var/lib/mosaic).")
    Path stateDir;

    @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines.")
    int tail;

    @picocli.CommandLine.Mixin
    OneHost one;

    @Override
    public Integer call() throws IOException {
        Path logs = one.stateDirOf(root, stateDir).resolve("logs");
        Path file = ResourceLog.file(logs, address);
        java.util.Optional<byte[]> bytes;
        try {
            bytes = dev.mosaic.state.StateDir.read(file); // never through a link
        } catch (IOException e) {
            throw new UserError("cannot read the log of " + address + ": " + e.getMessage());
        }
        if (bytes.isEmpty()) {
            List<String> known;
            try (var s = Files.list(logs)) {
                known = s.map(p -> p.getFileName().toString().replaceFirst("\\.log$", "")).sorted().toList();
            } catch (IOException e) {
                known = List.of();
            }
            // Logs are named kind.name (ResourceLog.file), and either spelling finds one.
            String stem = file.getFileName().toString().replaceFirst("\\.log$", "");
            throw new UserError("no log for " + address + " in " + logs
                    + dev.mosaic.diag.Suggest.hint(stem, known)
                    + (known.isEmpty() ? " (no resource of this target has produced output yet)" : "; logs exist for: " + String.join(", ", known)));
        }
        List<String> lines = new String(bytes.get(), StandardCharsets.UTF_8).lines().toList();
        if (tail > 0 && lines.size() > tail) {
            lines = lines.subList(lines.size() - tail, lines.size());
        }
        lines.forEach(spec.commandLine().getOut()::println);
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
