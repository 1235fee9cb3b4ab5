package dev.mosaic.host.ssh;

import dev.mosaic.host.FileStat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe commands run by a local {@code sh}, as sshd would run them, and their parsing. */
class ProbeTest {

    @TempDir
    Path tmp;

    private static byte[] sh(String command, byte[] stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    @Test
    void any_file_name_survives_the_round_trip_and_absent_paths_are_simply_not_listed() throws Exception {
        Path odd = Files.writeString(tmp.resolve("a name with spaces,\nnewline and 'quotes'"), "x", StandardCharsets.UTF_8);
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Path.of("target with space"));
        Path dir = Files.createDirectories(tmp.resolve("d"));
        Files.setPosixFilePermissions(odd, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));

        Probe.Seen seen = Probe.parseStats(sh(Probe.statCommand(false), Probe.nulList(List.of(
                odd.toString(), link.toString(), dir.toString(), tmp.resolve("absent").toString()))));

        assertThat(seen.remoteNanos()).isPositive();
        assertThat(seen.entries().keySet()).containsExactlyInAnyOrder(odd.toString(), link.toString(), dir.toString());
        FileStat f = seen.entries().get(odd.toString()).stat();
        assertThat(f.kind()).isEqualTo(FileStat.Kind.FILE);
        assertThat(f.size()).isEqualTo(1);
        assertThat(f.mode()).isEqualTo(0750);
        assertThat(f.mtimeNanos()).isEqualTo(Files.getLastModifiedTime(odd).to(java.util.concurrent.TimeUnit.NANOSECONDS));
        assertThat(seen.entries().get(link.toString()).stat().linkTarget()).isEqualTo("target with space");
        assertThat(seen.entries().get(dir.toString()).stat().isDirectory()).isTrue();
        assertThat(seen.entries().get(odd.toString()).fileKey()).as("inode and ctime").matches("\\d+:\\d+");
    }

    @Test
    void a_recursive_probe_lists_the_whole_tree_and_hashes_come_back_by_path() throws Exception {
        Files.createDirectories(tmp.resolve("t/sub"));
        Files.writeString(tmp.resolve("t/sub/one"), "one\n");
        Files.writeString(tmp.resolve("t/two words"), "two\n");

        Probe.Seen seen = Probe.parseStats(sh(Probe.statCommand(true), Probe.nulList(List.of(tmp.resolve("t").toString()))));
        assertThat(seen.entries().keySet()).containsExactlyInAnyOrder(tmp.resolve("t").toString(),
                tmp.resolve("t/sub").toString(), tmp.resolve("t/sub/one").toString(), tmp.resolve("t/two words").toString());

        Probe.Hashes h = Probe.parseHashes(sh(Probe.hashCommand(), Probe.nulList(List.of(
                tmp.resolve("t/sub/one").toString(), tmp.resolve("t/two words").toString(), tmp.resolve("t/gone").toString()))));
        assertThat(h.byPath()).containsOnlyKeys(tmp.resolve("t/sub/one").toString(), tmp.resolve("t/two words").toString());
        assertThat(h.byPath().get(tmp.resolve("t/sub/one").toString()))
                .isEqualTo("2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806");
    }

    @Test
    void shell_quoting_keeps_every_word_as_it_is() throws Exception {
        String word = "it's a \"test\" $HOME `x` \\ ;&|";
        byte[] out = sh("printf '%s' " + Shell.quote(word), new byte[0]);
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(word);
        assertThat(Shell.quote("/srv/tftp/pxelinux.0")).isEqualTo("/srv/tftp/pxelinux.0");
    }

    @Test
    void find_timestamps_become_nanoseconds() {
        assertThat(Probe.parseSecondsDotNanos("1700000000.1234567890")).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(Probe.parseSecondsDotNanos("1700000000.5")).isEqualTo(1_700_000_000_500_000_000L);
        assertThat(Probe.parseSecondsDotNanos("1700000000")).isEqualTo(1_700_000_000_000_000_000L);
    }
}
