package dev.mosaic.e2e;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code node_image} kind through the real CLI, with the control machine's real apt lists and
 * real packages from the archive: small ones ({@code busybox-static}, {@code lsb-base}) so that a
 * cold cache costs a few seconds.
 */
class NodeImageCliTest {

    private static final Duration SLOW = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    private Path playbook(String name, String body) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, body, StandardCharsets.UTF_8);
        return p;
    }

    private static String image(String packages, String format) {
        return """
                name: nodes
                resources:
                  img:
                    type: node_image
                    path: /srv/tftp/node.img
                    format: %s
                    packages: %s
                    exclude: [/usr/share/doc/**, /usr/share/man/**, /usr/share/lintian/**]
                    files:
                      - { path: /init, content: "#!/bin/busybox sh\\nexec /bin/busybox sh\\n", mode: "0755" }
                      - { path: /etc/slurm/owned, content: "x\\n", mode: "0640", owner: 64030, group: 64030 }
                    links:
                      - { path: /bin/sh, target: busybox }
                    dirs: [/proc, /sys, /dev, /run, /tmp]
                """.formatted(format, packages);
    }

    private Cli.Result mosaic(Cli cli, String verb, Path root, Path playbook) {
        return cli.withTimeout(SLOW).run(verb, "--root", root.toString(), "--cache-dir", tmp.resolve("cache").toString(),
                playbook.toString());
    }

    private Cli.Result mosaic(String verb, Path root, Path playbook) {
        return mosaic(Cli.in(tmp), verb, root, playbook);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(in.readAllBytes());
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> debsInCache() throws IOException {
        Path cache = tmp.resolve("cache");
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> p.toString().endsWith(".deb") || p.getParent().getFileName().toString().equals("sha256")).toList();
        }
    }

    private static String log(Path root) throws IOException {
        return Files.readString(root.resolve("var/lib/mosaic/logs/node_image[img].log"));
    }

    @Test
    void sameInputsOnTwoRoots_giveTheSameSha256_builtOnceAndCopied_andASecondApplyChangesNothing() throws IOException {
        Path pb = playbook("nodes.yml", image("[busybox-static]", "cpio"));
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");

        Cli.Result plan = mosaic("plan", one, pb);
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("+ node_image[img]", "image: built at apply from 1 package");
        assertThat(debsInCache()).as("a plan downloads nothing").isEmpty();

        Cli.Result first = mosaic("apply", one, pb);
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(log(one)).contains("built /srv/tftp/node.img: 1 package");

        Cli.Result second = mosaic("apply", two, pb);
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(log(two)).contains("copying the image from the control machine's cache").doesNotContain("built /srv/tftp/node.img");

        Path a = one.resolve("srv/tftp/node.img");
        Path b = two.resolve("srv/tftp/node.img");
        assertThat(sha256(a)).isEqualTo(sha256(b));

        Cli.Result again = mosaic("apply", one, pb);
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.stdout()).contains("0 changed");
        assertThat(mosaic("plan", two, pb).stdout()).contains("0 to create, 0 to update");
    }

    @Test
    void changingThePackageList_namesThePackagesThatDiffer_andApplyRebuildsOnce() throws IOException {
        Path root = tmp.resolve("root");
        Cli.Result first = mosaic("apply", root, playbook("v1.yml", image("[busybox-static]", "cpio")));
        assertThat(first.exitCode()).as("%s", first).isZero();
        String before = sha256(root.resolve("srv/tftp/node.img"));

        Path v2 = playbook("v2.yml", image("[busybox-static, lsb-base]", "cpio"));
        Cli.Result plan = mosaic("plan", root, v2);
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("~ node_image[img]", "+ package lsb-base: 11.6")
                .doesNotContain("package busybox-static");

        Cli.Result apply = mosaic("apply", root, v2);
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdout()).contains("1 changed");
        assertThat(sha256(root.resolve("srv/tftp/node.img"))).isNotEqualTo(before);
        assertThat(mosaic("apply", root, v2).stdout()).contains("0 changed");
    }

    @Test
    void aCachedImage_isAppliedWithoutNetwork_andAPlanOfANewOneNeedsNoneEither() throws IOException {
        Path pb = playbook("nodes.yml", image("[busybox-static]", "cpio"));
        Cli.Result online = mosaic("apply", tmp.resolve("online"), pb);
        assertThat(online.exitCode()).as("%s", online).isZero();

        Cli offline = Cli.in(tmp).launchedBy(List.of("unshare", "--net", "--"));
        Path root = tmp.resolve("offline");
        Cli.Result applied = mosaic(offline, "apply", root, pb);
        assertThat(applied.exitCode()).as("%s", applied).isZero();
        assertThat(sha256(root.resolve("srv/tftp/node.img"))).isEqualTo(sha256(tmp.resolve("online/srv/tftp/node.img")));

        Cli.Result plan = mosaic(offline, "plan", root, playbook("v2.yml", image("[busybox-static, lsb-base]", "cpio")));
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("+ package lsb-base");
    }

    @Test
    void aSquashfs_isTheSameOnTwoRoots_withRootOwnersTheDeclaredOwnerAndTheEpoch() throws IOException, InterruptedException {
        Path pb = playbook("nodes.yml", image("[busybox-static]", "squashfs").replace("    dirs:", "    epoch: 1700000000\n    dirs:"));
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");
        assertThat(mosaic("apply", one, pb).exitCode()).isZero();
        assertThat(mosaic("apply", two, pb).exitCode()).isZero();
        Path img = one.resolve("srv/tftp/node.img");
        assertThat(sha256(img)).isEqualTo(sha256(two.resolve("srv/tftp/node.img")));

        Process p = new ProcessBuilder("unsquashfs", "-lln", img.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(listing).isZero();
        assertThat(listing).containsPattern("-rwxr-xr-x 0/0 +\\d+ 2023-11-1\\d \\d\\d:\\d\\d squashfs-root/bin/busybox")
                .containsPattern("-rw-r----- 64030/64030 +2 \\S+ \\S+ squashfs-root/etc/slurm/owned")
                .contains("squashfs-root/bin/sh -> busybox")
                .doesNotContain("usr/share/doc/");
    }

    @Test
    void aFileMarkedSensitive_makesThePlanSayWhoCanFetchTheImage_andNeverShowsItsContent() throws IOException {
        Path secret = tmp.resolve("munge.key");
        Files.writeString(secret, "s3cr3t-munge-key-material\n");
        Path pb = playbook("nodes.yml", """
                name: nodes
                resources:
                  img:
                    type: node_image
                    path: /srv/tftp/node.img
                    packages: [busybox-static]
                    files:
                      - { path: /etc/munge/munge.key, source: munge.key, mode: "0400", sensitive: true }
                """);
        Path root = tmp.resolve("root");
        Cli.Result plan = mosaic("plan", root, pb);
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("node_image[img]", "holds secrets (/etc/munge/munge.key): whoever can fetch"
                + " /srv/tftp/node.img reads them — every machine on the boot network");
        assertThat(plan.stdout()).doesNotContain("sha256:");
        Cli.Result apply = mosaic("apply", root, pb);
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        for (Cli.Result r : List.of(plan, apply)) {
            assertThat(r.stdout() + r.stderr()).doesNotContain("s3cr3t");
        }
    }

    @Test
    void anInitrdFileMarkedSensitive_makesThePlanWarnToo_withItsSourceOnTheTarget() throws IOException {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("etc/munge"));
        Files.writeString(root.resolve("etc/munge/munge.key"), "s3cr3t-munge-key-material\n");
        Path pb = playbook("overlay.yml", """
                name: overlay
                resources:
                  overlay:
                    type: initrd
                    path: /srv/tftp/overlay.img
                    files:
                      - { path: /etc/munge/munge.key, source: /etc/munge/munge.key, mode: "0400", sensitive: true }
                """);
        Cli.Result plan = mosaic("plan", root, pb);
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("initrd[overlay]", "holds secrets (/etc/munge/munge.key): whoever can fetch /srv/tftp/overlay.img reads them")
                .doesNotContain("s3cr3t").doesNotContain("sha256:");
    }

    @Test
    void hostileSpecs_failThePlanNamingTheResource_andLeaveTheRootAndWhatLiesOutsideItAlone() throws IOException {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path root = tmp.resolve("root");
        Files.createDirectories(root);
        String[][] cases = {
            {"packages: [Not_A_Package]", "'Not_A_Package' is not a Debian package name"},
            {"packages: [no-such-package-mosaic-test]", "no-such-package-mosaic-test"},
            {"packages: [busybox-static]\n    exclude: [/usr/../../outside/**]", "without '..'"},
            {"packages: [busybox-static]\n    files: [{ path: ../../outside/canary.txt, content: x }]", "no '..'"},
        };
        for (String[] c : cases) {
            Path pb = playbook("bad.yml", """
                    name: bad
                    resources:
                      img:
                        type: node_image
                        path: /srv/tftp/node.img
                        %s
                    """.formatted(c[0]));
            for (String verb : List.of("plan", "apply")) {
                Cli.Result r = mosaic(verb, root, pb);
                assertThat(r.exitCode()).as("%s", r).isNotZero();
                assertThat(r.stdout() + r.stderr()).as("%s", r).contains("img").contains(c[1]).doesNotContain("\tat dev.mosaic");
            }
            assertThat(root.resolve("srv")).doesNotExist();
        }
        canary.assertUntouched();
    }
}
