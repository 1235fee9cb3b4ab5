package dev.mosaic.testing.labserver;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The lab server's root file system: a minimal Debian 12 made by {@code debootstrap}, kept as a
 * tarball below the checkout's {@code target/lab-server-cache/} and named by a digest of
 * everything that goes into it, so changing {@link #PACKAGES} builds a new one and a clean clone
 * builds it once. Unpacking the tarball gives every container a fresh root of its own.
 */
final class LabImage {

    /**
     * What the lab server has installed, in one place: systemd as PID 1 (with dbus, which
     * systemctl and logind want), procps (so {@code ExecReload=kill -HUP} finds /bin/kill),
     * sshd, iproute2 (networkd's peers, and {@code ip} for tests), dnsmasq for the netboot tests
     * (installed but disabled: the tests converge it as a service), and the cluster's server side:
     * munge, slurmctld and the Slurm client commands, and busybox, whose httpd serves HTTP boot.
     * The container has no network, so a playbook's packages must already be here: the playbook
     * finds them installed. Add what later tests need here.
     */
    static final List<String> PACKAGES = List.of(
            "systemd", "systemd-sysv", "dbus", "procps", "openssh-server", "iproute2", "dnsmasq",
            "busybox", "munge", "slurmctld", "slurm-client");

    static final String SUITE = "bookworm";
    static final String MIRROR = "http://deb.debian.org/debian";

    /**
     * Changes made to the tree after debootstrap, before it is packed; part of the cache key, so
     * editing them here (and bumping this text) rebuilds the image.
     */
    private static final String CUSTOMIZATION = "v2: networkd on, dnsmasq munge slurmctld off, no host keys, no munge key, sshd drop-in, apt clean";

    private LabImage() {
    }

    /** The checkout's cache directory for images (below {@code target/}, never outside the build). */
    static Path cacheDir() {
        return Path.of("target", "lab-server-cache").toAbsolutePath();
    }

    /**
     * The cached tarball, built first when missing. Concurrent test JVMs of one checkout wait for
     * each other on a file lock instead of running debootstrap twice.
     */
    /** Whether the image for today's package list is built already (the next start is a warm one). */
    static boolean cached() {
        return Files.exists(cacheDir().resolve(SUITE + "-" + key() + ".tar"));
    }

    static synchronized Path tarball() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(cacheDir());
        Path tar = dir.resolve(SUITE + "-" + key() + ".tar");
        try (FileChannel lockFile = FileChannel.open(dir.resolve("build.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            if (!Files.exists(tar)) {
                build(dir, tar);
            }
        }
        return tar;
    }

    /** Unpacks the image into {@code root} (an empty or missing directory), owners and modes kept. */
    static void unpack(Path root) throws IOException, InterruptedException {
        Path tar = tarball();
        Files.createDirectories(root);
        LabServer.check(List.of("tar", "-C", root.toString(), "--numeric-owner", "--xattrs", "--xattrs-include=*",
                "-xpf", tar.toString()), Duration.ofMinutes(5));
    }

    private static String key() {
        String inputs = SUITE + "\n" + MIRROR + "\nminbase\n" + String.join(",", PACKAGES) + "\n" + CUSTOMIZATION;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(inputs.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build(Path dir, Path tar) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            throw new IllegalStateException("debootstrap is missing: install it (bin/test does)");
        }
        Path work = Files.createTempDirectory(dir, "build-");
        Path root = work.resolve("root");
        try {
            LabServer.check(List.of("debootstrap", "--variant=minbase", "--include=" + String.join(",", PACKAGES),
                    SUITE, root.toString(), MIRROR), Duration.ofMinutes(20));
            customize(root);
            Path partial = work.resolve("image.tar");
            LabServer.check(List.of("tar", "-C", root.toString(), "--numeric-owner", "--xattrs", "--xattrs-include=*",
                    "-cf", partial.toString(), "."), Duration.ofMinutes(5));
            Files.move(partial, tar, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            LabServer.check(List.of("rm", "-rf", "--one-file-system", work.toString()), Duration.ofMinutes(5));
        }
    }

    /** What every lab server shares; what differs per container is written by {@link LabServer}. */
    private static void customize(Path root) throws IOException, InterruptedException {
        // The image's own systemctl works offline in a chroot: networkd configures host0 from
        // the file each container gets; dnsmasq starts only when a test makes it a service.
        chroot(root, "systemctl", "enable", "systemd-networkd");
        chroot(root, "systemctl", "disable", "dnsmasq", "munge", "slurmctld");
        chroot(root, "apt-get", "clean");
        // Each container gets a host key of its own (LabServer), never one shared through the cache;
        // munge's postinst made a key too: a cluster's key is its playbook's business.
        Files.deleteIfExists(root.resolve("etc/munge/munge.key"));
        try (var keys = Files.newDirectoryStream(root.resolve("etc/ssh"), "ssh_host_*")) {
            for (Path k : keys) {
                Files.delete(k);
            }
        }
        Files.writeString(root.resolve("etc/ssh/sshd_config.d/lab-server.conf"), """
                # The lab server of Mosaic's tests: one ed25519 host key, keys only.
                HostKey /etc/ssh/ssh_host_ed25519_key
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                """, StandardCharsets.UTF_8);
    }

    private static void chroot(Path root, String... argv) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("chroot", root.toString()));
        cmd.addAll(List.of(argv));
        LabServer.check(cmd, Duration.ofMinutes(2));
    }
}
