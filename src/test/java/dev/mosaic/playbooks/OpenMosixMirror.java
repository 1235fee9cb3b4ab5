package dev.mosaic.playbooks;

import dev.mosaic.kernel.Diffs;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The six downloads of the 2003 openMosix-LTSP recipe, in miniature, built from the fixtures in
 * {@code src/test/resources/openmosix/}:
 *
 * <ul>
 *   <li>{@code linux-2.4.22.tar.gz}: a 2.4 tree whose Makefile has the compile's targets and whose
 *       {@code scripts/Configure} is {@code make oldconfig} (questions read on standard input);</li>
 *   <li>{@code openMosix-2.4.22-1.bz2}: a {@code -p0} patch made from the files of
 *       {@code openMosix-2.4.22-1/} against the tree: the openMosix options in a new
 *       {@code hpc/Config.in} sourced by {@code arch/i386/config.in}, {@code hpc/mosix.c}, and a
 *       call in {@code init/main.c};</li>
 *   <li>the LTSP helpers {@code ltsp_local_apps-3.0.0-i386.tgz},
 *       {@code ltsp_mosix_core-1.0beta4.tar.gz} and {@code ltsp_openmosix_userland_0.3.4.tar.gz},
 *       each with an {@code install.sh} that installs below {@code $MOSAIC_ROOT/opt/ltsp/i386};</li>
 *   <li>{@code ltsp_initrd_kit-3.0.12-i386.tgz}: {@code config-2.4.22-ltsp-2} and a {@code buildk}
 *       that asks its four questions on standard input.</li>
 * </ul>
 *
 * Every command of the fixtures appends a line to {@code $MOSAIC_ROOT/var/log/openmosix-recipe.log}
 * ({@link #LOG}): {@code install.sh <kit>}, {@code make <target>}, {@code buildk}. Archives are
 * deterministic (fixed times, owners and modes: 0755 for directories and scripts, 0644 otherwise).
 */
final class OpenMosixMirror {

    /** The target path of the fixtures' log of commands. */
    static final String LOG = "/var/log/openmosix-recipe.log";

    static final String KERNEL = "linux-2.4.22";
    static final String PATCH = "openMosix-2.4.22-1";
    static final String KIT = "ltsp_initrd_kit";

    /** Archive name → the fixture directory it holds (as its top directory). */
    static final Map<String, String> TARBALLS = Map.of(
            "linux-2.4.22.tar.gz", KERNEL,
            "ltsp_local_apps-3.0.0-i386.tgz", "ltsp_local_apps",
            "ltsp_mosix_core-1.0beta4.tar.gz", "ltsp_mosix_core-1.0beta4",
            "ltsp_openmosix_userland_0.3.4.tar.gz", "ltsp_openmosix_userland_0.3.4",
            "ltsp_initrd_kit-3.0.12-i386.tgz", KIT);

    private static final Date EPOCH_2003 = new Date(1_057_000_000_000L);

    private OpenMosixMirror() {
    }

    /** Writes the six files into {@code dir} and returns it. */
    static Path build(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> t : new TreeMap<>(TARBALLS).entrySet()) {
                writeTarGz(dir.resolve(t.getKey()), t.getValue());
            }
            try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(dir.resolve(PATCH + ".bz2")))) {
                out.write(patch().getBytes(StandardCharsets.UTF_8));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The openMosix patch as {@code diff -ruN linux-2.4.22.orig linux-2.4.22} writes it, applied by
     * {@code cd /usr/src; patch -p0}: every file of the fixture's {@code openMosix-2.4.22-1/},
     * against the pristine tree (new files from {@code /dev/null}).
     */
    static String patch() {
        StringBuilder b = new StringBuilder();
        for (String rel : files(PATCH)) {
            String after = text(PATCH + "/" + rel);
            Path pristine = fixture(KERNEL + "/" + rel);
            String before = Files.exists(pristine) ? text(KERNEL + "/" + rel) : null;
            b.append(Diffs.unified(KERNEL + ".orig/" + rel, KERNEL + "/" + rel, before, after));
        }
        return b.toString();
    }

    /** The text of a fixture file, by its path below {@code openmosix/}. */
    static String text(String relative) {
        try {
            return Files.readString(fixture(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a kernel source file after the openMosix patch. */
    static String patched(String relative) {
        return Files.exists(fixture(PATCH + "/" + relative)) ? text(PATCH + "/" + relative) : text(KERNEL + "/" + relative);
    }

    static Path fixture(String relative) {
        return root().resolve(relative);
    }

    private static Path root() {
        try {
            return Path.of(OpenMosixMirror.class.getResource("/openmosix").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files below a fixture directory, relative, sorted. */
    static List<String> files(String dir) {
        Path base = fixture(dir);
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(Files::isRegularFile).map(p -> base.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeTarGz(Path file, String dir) throws IOException {
        Path base = fixture(dir);
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted().forEach(paths::add);
        }
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new GzipCompressorOutputStream(Files.newOutputStream(file)))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Path p : paths) {
                String name = dir + (p.equals(base) ? "" : "/" + base.relativize(p)) + (Files.isDirectory(p) ? "/" : "");
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setModTime(EPOCH_2003);
                e.setUserName("root");
                e.setGroupName("root");
                if (Files.isDirectory(p)) {
                    e.setMode(040755);
                    tar.putArchiveEntry(e);
                } else {
                    byte[] bytes = Files.readAllBytes(p);
                    boolean script = bytes.length > 2 && bytes[0] == '#' && bytes[1] == '!';
                    e.setMode(0100000 | (script ? 0755 : 0644));
                    e.setSize(bytes.length);
                    tar.putArchiveEntry(e);
                    tar.write(bytes);
                }
                tar.closeArchiveEntry();
            }
        }
    }
}
