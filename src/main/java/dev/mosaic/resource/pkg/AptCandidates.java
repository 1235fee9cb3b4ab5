package dev.mosaic.resource.pkg;

import dev.mosaic.base.AtomicFile;
import dev.mosaic.resource.Digests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * apt's answers ({@code apt-cache show}: a package's candidate version and its .deb's sha256),
 * kept in the control machine's cache between runs, under the identity of everything apt reads
 * to give them: its lists (fetched and signature-checked by {@code apt-get update}), dpkg's status
 * and architectures, and all of {@code /etc/apt} (sources, pins, configuration, keys). Each file's
 * size, mtime, ctime and inode, and each directory's, go into the key: an update, a new pin, an
 * upgraded apt (dpkg's status changes) or a removed list changes it, and apt is asked again.
 * On this machine's images apt keeps no binary cache ({@code Dir::Cache::pkgcache ""}), so each
 * {@code apt-cache show} parses every list: 0.8 s of CPU, 1–3.5 s of wall on a busy machine,
 * most of taking one file out of a .deb.
 *
 * <p>What is kept is only apt's own answer: the .deb is still verified against that sha256 before
 * anything of it is unpacked. Like git's index, an input changed less than {@link #RACY_NANOS}
 * ago (it could change again within the same timestamp) keeps the answer from being stored.
 */
final class AptCandidates {

    static final long RACY_NANOS = 2_000_000_000L;

    /** The files and trees apt's answer depends on, on a Debian system. */
    static final List<Path> APT_INPUTS = List.of(Path.of("/var/lib/apt/lists"), Path.of("/var/lib/dpkg/status"),
            Path.of("/var/lib/dpkg/arch"), Path.of("/etc/apt"));

    private final Path dir;
    private final List<Path> inputs;

    /**
     * @param cacheDir the control machine's cache; answers are kept in its {@code apt-candidates/}
     * @param inputs   what apt reads ({@link #APT_INPUTS}; a test gives its own)
     */
    AptCandidates(Path cacheDir, List<Path> inputs) {
        this.dir = cacheDir.resolve("apt-candidates");
        this.inputs = List.copyOf(inputs);
    }

    /** What asks apt when nothing is kept. */
    interface Ask {
        Apt.Candidate ask() throws IOException, dev.mosaic.resource.ResourceException;
    }

    /** apt's answer for {@code aptArgument}: the kept one when apt's inputs did not change, else asked (and kept). */
    Apt.Candidate get(String aptArgument, Ask apt) throws IOException, dev.mosaic.resource.ResourceException {
        Identity before;
        try {
            before = identity(aptArgument);
        } catch (IOException | java.io.UncheckedIOException unreadable) {
            return apt.ask(); // an input this process cannot read: apt is asked, nothing is kept
        }
        Path file = dir.resolve(before.key());
        Optional<Apt.Candidate> kept = read(file);
        if (kept.isPresent()) {
            return kept.get();
        }
        Apt.Candidate c = apt.ask();
        Identity after;
        try {
            after = identity(aptArgument);
        } catch (IOException | java.io.UncheckedIOException unreadable) {
            return c;
        }
        // Not kept when an input changed while apt read it, or too recently to be trusted.
        if (after.key().equals(before.key()) && System.currentTimeMillis() * 1_000_000L - after.newest() > RACY_NANOS) {
            write(file, c);
        }
        return c;
    }

    /** The key of apt's inputs as they are now, and the newest change among them (ns since the epoch). */
    record Identity(String key, long newest) {
    }

    Identity identity(String aptArgument) throws IOException {
        Map<String, String> seen = new TreeMap<>();
        long[] newest = {0};
        for (Path p : inputs) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                seen.put(p.toString(), "absent");
                continue;
            }
            try (Stream<Path> all = Files.walk(p)) {
                for (Path f : (Iterable<Path>) all::iterator) {
                    if (f.getFileName() != null && f.getFileName().toString().equals("lock")) {
                        continue; // apt's lock file is touched by every apt run, changing nothing
                    }
                    Map<String, Object> a;
                    try { // a symlink (sources.list to elsewhere) by what it leads to
                        a = Files.readAttributes(f, "unix:size,lastModifiedTime,ctime,ino");
                    } catch (java.nio.file.NoSuchFileException dangling) {
                        a = Files.readAttributes(f, "unix:size,lastModifiedTime,ctime,ino", LinkOption.NOFOLLOW_LINKS);
                    }
                    long mtime = nanos((FileTime) a.get("lastModifiedTime"));
                    long ctime = nanos((FileTime) a.get("ctime"));
                    newest[0] = Math.max(newest[0], Math.max(mtime, ctime));
                    seen.put(f.toString(), a.get("size") + " " + mtime + " " + ctime + " " + a.get("ino"));
                }
            }
        }
        StringBuilder text = new StringBuilder("apt-candidate 1\n").append(aptArgument).append('\n')
                .append(System.getenv().getOrDefault("APT_CONFIG", "")).append('\n');
        seen.forEach((path, id) -> text.append(path).append(' ').append(id).append('\n'));
        byte[] digest = Digests.newSha256().digest(text.toString().getBytes(StandardCharsets.UTF_8));
        return new Identity(HexFormat.of().formatHex(digest), newest[0]);
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** A kept answer: three lines, version, sha256, file name; anything else is ignored (apt is asked). */
    private static Optional<Apt.Candidate> read(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty(); // none kept; a link is never read through
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() == 3 && !lines.get(0).isBlank() && lines.get(1).matches("[0-9a-f]{64}")) {
                return Optional.of(new Apt.Candidate(lines.get(0), lines.get(1), lines.get(2)));
            }
        } catch (IOException e) {
            // unreadable: apt is asked
        }
        return Optional.empty();
    }

    private void write(Path file, Apt.Candidate c) {
        if (c.version().contains("\n") || c.filename().contains("\n")) {
            return;
        }
        try {
            Files.createDirectories(dir);
            AtomicFile.write(file, (c.version() + "\n" + c.sha256() + "\n" + c.filename() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a cache that cannot be written only costs asking apt next time
        }
    }

    /** The kept answers, for tests: file names (keys). */
    List<String> kept() throws IOException {
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().forEach(out::add);
            }
        }
        return out;
    }
}
