package dev.mosaic.netboot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real Debian packages for the netboot tests: downloaded with {@code apt-get download} once into a
 * cache below the build directory ({@code -Dmosaic.testCache=DIR} puts it elsewhere), unpacked with
 * {@code dpkg-deb -x}. Nothing is installed on the machine running the tests.
 */
final class Debs {

    /** What the netboot playbook reads besides a kernel: PXELINUX, its BIOS modules, a static busybox. */
    static final List<String> BOOT_PACKAGES = List.of("pxelinux", "syslinux-common", "busybox-static");

    /** atftpd listens on any address and port, unprivileged; it links the TCP wrappers library. */
    static final List<String> TFTP_SERVER_PACKAGES = List.of("atftpd", "libwrap0");

    /** Names the kernel package (linux-image-6.1.0-56-amd64) that linux-image-amd64 stands for. */
    static final String KERNEL_METAPACKAGE = "linux-image-amd64";

    private static final Pattern KERNEL_DEB = Pattern.compile("linux-image-(\\d[^_]*-amd64)_[^/]*\\.deb");
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration UNPACK_TIMEOUT = Duration.ofMinutes(3);

    private Debs() {
    }

    /** Where downloaded packages are kept: {@code <build dir>/test-cache/debs} unless configured. */
    static Path cacheDir() {
        String configured = System.getProperty("mosaic.testCache");
        Path base = configured != null && !configured.isBlank() ? Path.of(configured) : buildDir().resolve("test-cache");
        return base.toAbsolutePath().normalize().resolve("debs");
    }

    /** The build directory: the parent of the test classes ({@code target-netboot/test-classes}). */
    private static Path buildDir() {
        try {
            return Path.of(Debs.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached .deb of {@code name}, downloaded first when it is not cached yet. */
    static synchronized Path fetch(String name) throws IOException, InterruptedException {
        Path cache = Files.createDirectories(cacheDir());
        Optional<Path> cached = newest(cache, f -> f.startsWith(name + "_"));
        if (cached.isPresent()) {
            return cached.get();
        }
        Commands.require("apt-get", "the netboot tests download real Debian packages with 'apt-get download'", "apt");
        Path download = Files.createTempDirectory(cache, ".download-");
        try {
            Commands.Result r = Commands.run(download, DOWNLOAD_TIMEOUT, "apt-get", "download", name);
            Optional<Path> deb = newest(download, f -> f.startsWith(name + "_"));
            if (!r.ok() || deb.isEmpty()) {
                fail("cannot download the Debian package " + name + " into " + download + ":\n" + r
                        + "\nThe netboot tests unpack real amd64 Debian packages. When apt does not know the package,"
                        + " its lists are missing or stale: run 'apt-get update' first.");
            }
            Path into = cache.resolve(deb.get().getFileName());
            Files.move(deb.get(), into, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return into;
        } finally {
            deleteTree(download);
        }
    }

    /**
     * The .deb of a Debian amd64 kernel: the cached one, else the one {@value #KERNEL_METAPACKAGE}
     * depends on now (apt-get download needs the exact name; the ABI in it changes with updates).
     */
    static synchronized Path kernel() throws IOException, InterruptedException {
        Optional<Path> cached = newest(Files.createDirectories(cacheDir()), f -> KERNEL_DEB.matcher(f).matches());
        if (cached.isPresent()) {
            return cached.get();
        }
        Commands.require("apt-cache", "the netboot tests find the current Debian kernel package with apt-cache", "apt");
        Commands.Result r = Commands.run(cacheDir(), DOWNLOAD_TIMEOUT, "apt-cache", "depends", KERNEL_METAPACKAGE);
        Matcher m = Pattern.compile("Depends: (linux-image-\\d\\S*-amd64)").matcher(r.output());
        if (!r.ok() || !m.find()) {
            fail("cannot tell which kernel package " + KERNEL_METAPACKAGE + " stands for:\n" + r
                    + "\nWhen apt does not know it, its lists are missing or stale: run 'apt-get update' first.");
        }
        return fetch(m.group(1));
    }

    /** The kernel release a kernel .deb holds, as in /boot/vmlinuz-RELEASE ("6.1.0-56-amd64"). */
    static String kernelRelease(Path deb) {
        Matcher m = KERNEL_DEB.matcher(deb.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a kernel package: " + deb);
        }
        return m.group(1);
    }

    /** Unpacks the files of {@code deb} into {@code root}, as dpkg would install them below it. */
    static void unpack(Path deb, Path root) throws IOException, InterruptedException {
        Commands.require("dpkg-deb", "the netboot tests unpack Debian packages with 'dpkg-deb -x'", "dpkg");
        Files.createDirectories(root);
        Commands.Result r = Commands.run(root, UNPACK_TIMEOUT, "dpkg-deb", "-x", deb.toString(), root.toString());
        if (!r.ok()) {
            fail("cannot unpack " + deb + " (a damaged download? delete it from " + cacheDir() + "):\n" + r);
        }
    }

    private static Optional<Path> newest(Path dir, java.util.function.Predicate<String> name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".deb") && name.test(p.getFileName().toString()))
                    .filter(Files::isRegularFile)
                    .max(Comparator.comparing(Debs::mtime));
        }
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
