package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image the cluster needs, from the real archive: {@code slurmd munge busybox} and their
 * whole dependency closure, the same bytes on two roots, and programs that run from it. The .debs
 * stay in a cache under {@code target/} between runs (a cold one costs about 30 s of downloads).
 */
class NodeImageClosureTest {

    private static final Path CACHE = Path.of("target", "node-image-test-cache").toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void slurmdMungeAndBusybox_bringTheirClosure_giveOneSha256OnTwoRoots_andTheirProgramsRunFromTheImage() throws Exception {
        Path pb = tmp.resolve("nodes.yml");
        Files.writeString(pb, """
                name: nodes
                resources:
                  img:
                    type: node_image
                    path: /srv/tftp/node.img
                    packages: [busybox, slurmd, munge]
                    exclude: [/usr/share/doc/**, /usr/share/man/**, /usr/share/locale/**]
                    links:
                      - { path: /usr/sbin/slurmd, target: slurmd-wlm }
                    dirs: [/proc, /sys, /dev, /run, /tmp]
                """);
        Cli cli = Cli.in(tmp).withTimeout(Duration.ofMinutes(8));
        List<Path> images = new ArrayList<>();
        for (String root : List.of("one", "two")) {
            Cli.Result r = cli.run("apply", "--root", tmp.resolve(root).toString(), "--cache-dir", CACHE.toString(), pb.toString());
            assertThat(r.exitCode()).as("%s", r).isZero();
            images.add(tmp.resolve(root).resolve("srv/tftp/node.img"));
        }
        assertThat(sha256(images.get(0))).isEqualTo(sha256(images.get(1)));

        Path tree = tmp.resolve("tree");
        List<String> names = unpack(images.get(0), tree);
        assertThat(names).contains("usr/sbin/slurmd-wlm", "usr/sbin/slurmstepd-wlm", "usr/sbin/munged", "bin/busybox",
                "lib/x86_64-linux-gnu/libc.so.6", "usr/lib/x86_64-linux-gnu/slurm-wlm/proctrack_linuxproc.so");
        assertThat(names).noneMatch(n -> n.startsWith("usr/share/doc/") || n.startsWith("usr/share/man/"));
        assertThat(run("chroot", tree.toString(), "/usr/sbin/slurmd", "-V")).startsWith("slurm-wlm 22.05");
        assertThat(run("chroot", tree.toString(), "/usr/sbin/munged", "--version")).startsWith("munge-0.5");
    }

    private static String run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }

    /** Unpacks a gzip'd newc cpio (directories, files, symlinks) below {@code dir}; returns the names in archive order. */
    private static List<String> unpack(Path image, Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(image)))) {
            long at = 0;
            while (true) {
                byte[] header = new byte[110];
                in.readFully(header);
                String h = new String(header, StandardCharsets.US_ASCII);
                int mode = Integer.parseUnsignedInt(h.substring(14, 22), 16);
                int size = Integer.parseUnsignedInt(h.substring(54, 62), 16);
                int nameSize = Integer.parseUnsignedInt(h.substring(94, 102), 16);
                byte[] name = new byte[nameSize];
                in.readFully(name);
                at += 110 + nameSize;
                in.skipNBytes((4 - at % 4) % 4);
                at += (4 - at % 4) % 4;
                String n = new String(name, 0, nameSize - 1, StandardCharsets.UTF_8);
                if (n.equals("TRAILER!!!")) {
                    return names;
                }
                byte[] data = new byte[size];
                in.readFully(data);
                at += size;
                in.skipNBytes((4 - at % 4) % 4);
                at += (4 - at % 4) % 4;
                names.add(n);
                Path p = dir.resolve(n);
                switch (mode & 0170000) {
                    case 0040000 -> Files.createDirectories(p);
                    case 0120000 -> Files.createSymbolicLink(p, Path.of(new String(data, StandardCharsets.UTF_8)));
                    default -> {
                        Files.write(p, data);
                        Files.setAttribute(p, "unix:mode", mode & 07777);
                    }
                }
            }
        }
    }
}
