package dev.mosaic.e2e;

import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore --dry-run} says exactly what a restore would put back, changing and recording
 * nothing; and a restore warns when a later run changed the same paths, since putting back the
 * state before an apply undoes that later change too.
 */
class RestoreDryRunTest {

    @TempDir
    Path tmp;

    /** The sandbox, state included, but for the apply lock a dry run takes too. */
    private List<String> snapshot() throws IOException {
        return TreeSnapshot.of(tmp.resolve("lab")).stream().filter(l -> !l.startsWith("var/lib/mosaic/apply.lock ")).toList();
    }

    @Test
    void a_dry_run_lists_what_the_restore_then_does_and_changes_nothing() throws IOException {
        String root = tmp.resolve("lab").toString();
        assertThat(Cli.inProcess("apply", "playbooks/starter.yml", "--root", root).exitCode()).isZero();
        Path menu = tmp.resolve("lab/srv/tftp/pxelinux.cfg/default");
        Files.writeString(menu, "label rogue\n", StandardOpenOption.APPEND);
        assertThat(Cli.inProcess("apply", "playbooks/starter.yml", "--root", root).exitCode()).isZero();
        List<String> history = Cli.inProcess("history", "--root", root).stdoutLines();
        String first = history.get(0).split(" ")[0];
        String second = history.get(2).split(" ")[0];
        List<String> before = snapshot();

        Cli.Result dry = Cli.inProcess("restore", first, "--dry-run", "--root", root);

        assertThat(dry.exitCode()).as("%s", dry).isZero();
        assertThat(snapshot()).as("nothing changed, nothing recorded").isEqualTo(before);
        assertThat(dry.stderr()).contains("warning: /srv/tftp/pxelinux.cfg/default changed again by " + second
                + " (apply); restoring " + first + " undoes that too");
        List<String> would = dry.stdoutLines().stream().filter(l -> l.startsWith("would ")).toList();
        assertThat(would).contains("would remove /srv/tftp/pxelinux.cfg/default (file[pxe-menu]; it did not exist before "
                + first + ")");
        assertThat(dry.stdoutLines()).last().isEqualTo("Dry run: " + would.size() + " paths would be put back; nothing was changed.");

        Cli.Result real = Cli.inProcess("restore", first, "--root", root);

        assertThat(real.exitCode()).as("%s", real).isZero();
        assertThat(real.stdoutLines().stream().filter(l -> l.startsWith("removed ")).map(l -> "would remove " + l.substring(8)))
                .as("the restore did what the dry run said").containsExactlyElementsOf(would);
        assertThat(menu).doesNotExist();
    }
}
