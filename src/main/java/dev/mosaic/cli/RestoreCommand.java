package dev.mosaic.cli;

import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Restore;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.session.Transport;
import dev.mosaic.state.ApplyLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Put the files an apply changed back as they were before it (all, or one resource's), under the apply lock.",
        footer = {"", "Example:", "  mosaic history --root /tmp/lab",
                "  mosaic restore 20240501-101500 --dry-run --root /tmp/lab",
                "  mosaic restore 20240501-101500 'file[pxe-default]' --root /tmp/lab"})
final class RestoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "APPLY-ID", description = "An id from 'mosaic history'.")
    String id;

    @Parameters(index = "1", paramLabel = "ADDRESS", arity = "0..1", description = "Only this resource's files, e.g. file[motd].")
    String address;

    @Option(names = "--root", paramLabel = "DIR", description = "The target's sandbox root, as given to apply.")
    Path root;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Mosaic's state for the target (default: ROOT/var/lib/mosaic).")
    Path stateDir;

    @Option(names = "--lock-timeout", paramLabel = "SECONDS",
            description = "How long to wait for an apply of the same target to finish (default: 0, fail at once).")
    long lockTimeout;

    @Option(names = "--dry-run", description = "Only say what would be put back; change and record nothing.")
    boolean dryRun;

    @picocli.CommandLine.Mixin
    OneHost one;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PathChecks.directoryIfExists("--root", root);
        PathChecks.directoryIfExists("--state-dir", stateDir);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path state;
        Host host;
        if (one.active()) {
            InventoryHost h = one.find();
            state = one.stateDir(h, root, stateDir);
            try {
                host = Transport.host(h, stateDir);
            } catch (Transport.Unavailable u) {
                throw new UserError("host " + h.name() + ": " + u.getMessage());
            }
        } else {
            Path r = root == null ? Path.of("/") : root.toAbsolutePath().normalize();
            state = stateDir != null ? stateDir.toAbsolutePath().normalize() : r.resolve(dev.mosaic.session.Session.STATE_DIR);
            if (!Files.isDirectory(r)) {
                throw new UserError("root " + r + " is not a directory");
            }
            dev.mosaic.session.Session.checkStateDir(state, r);
            host = new LocalHost(r, true, state.resolve("statcache.bin"), true);
        }
        Restore.Result result;
        try (ApplyLock lock = ApplyLock.acquire(state, Duration.ofSeconds(lockTimeout), w -> err.println("warning: " + w))) {
            result = Restore.run(host, state, id, address, dryRun);
        } catch (ApplyLock.Busy busy) {
            throw new UserError(busy.getMessage() + "; wait for it, or pass --lock-timeout SECONDS");
        } finally {
            if (host instanceof dev.mosaic.host.ssh.SshHost ssh) {
                ssh.close();
            }
        }
        // Putting back the state before an apply also undoes whatever later runs did to the same paths.
        result.laterChanges().forEach(w -> err.println("warning: " + w + "; restoring " + id + " undoes that too"));
        result.restored().forEach(out::println);
        if (dryRun) {
            result.problems().forEach(p -> err.println("error: " + p));
            out.println("Dry run: " + result.restored().size() + " path" + (result.restored().size() == 1 ? "" : "s")
                    + " would be put back" + (result.problems().isEmpty() ? "" : ", " + result.problems().size() + " not")
                    + "; nothing was changed.");
            out.flush();
            return result.problems().isEmpty() ? Main.OK : Main.ERROR;
        }
        result.owed().forEach(o -> out.println("refresh owed: " + o + "; the next apply does it"));
        result.problems().forEach(p -> err.println("error: " + p));
        out.println((result.problems().isEmpty() ? "Restore complete: " : "Restore incomplete: ")
                + result.restored().size() + " path" + (result.restored().size() == 1 ? "" : "s") + " put back"
                + (result.problems().isEmpty() ? "" : ", " + result.problems().size() + " not")
                + " (recorded as " + result.historyId() + ").");
        out.flush();
        return result.problems().isEmpty() ? Main.OK : Main.ERROR;
    }
}
