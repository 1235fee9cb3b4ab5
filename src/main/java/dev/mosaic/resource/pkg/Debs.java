package dev.mosaic.resource.pkg;

import dev.mosaic.base.TargetPath;
import dev.mosaic.base.ContentStore;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.ArchiveType;
import org.apache.commons.io.file.PathUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian packages as files: which .debs a set of packages needs (apt's resolver, run on the
 * control machine's lists), each one's sha256 from apt's signed indexes, and the .deb itself,
 * fetched once into the download cache (the archives' {@link ContentStore}), verified before it
 * is kept and again whenever it is used. Nothing here installs anything; the {@code package}
 * kind (state unpacked) and the {@code node_image} kind share it.
 */
public final class Debs {

    private static final Pattern INST = Pattern.compile("^Inst (\\S+) \\((\\S+) .*\\[([a-z0-9-]+)\\]\\)");

    /**
     * Closures already resolved by this process, keyed by the names and the time apt's lists last
     * changed: a plan or an apply asks for one closure several times (observe, apply, observe
     * again), and each resolution costs seconds.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, List<Deb>> RESOLVED = new java.util.concurrent.ConcurrentHashMap<>();

    private Debs() {
    }

    /** One .deb: a package at a version, for an architecture, with the digest apt's index gives. */
    public record Deb(String name, String version, String arch, String sha256) {
        /** The argument apt-get and apt-cache take for exactly this package. */
        public String aptArgument() {
            return name + ":" + arch + "=" + version;
        }
    }

    /**
     * The packages {@code names} and their dependency closure (without recommends), as apt would
     * install them on a machine where nothing is installed yet, sorted by name. Reads apt's lists
     * only: no download, no lock.
     */
    public static List<Deb> closure(Host control, List<String> names) throws IOException, ResourceException {
        String key = control.stat(TargetPath.of("/var/lib/apt/lists")).mtimeNanos() + " " + String.join(" ", names);
        List<Deb> known = RESOLVED.get(key);
        if (known != null) {
            return known;
        }
        List<Deb> resolved = resolve(control, names);
        RESOLVED.put(key, resolved);
        return resolved;
    }

    private static List<Deb> resolve(Host control, List<String> names) throws IOException, ResourceException {
        List<String> argv = new ArrayList<>(List.of("apt-get", "install", "-s", "-q", "-o", "Dir::State::status=/dev/null",
                "-o", "APT::Install-Recommends=false", "-o", "Debug::NoLocking=1"));
        argv.addAll(names);
        List<String> lines = new ArrayList<>();
        Exec.Result r = control.query(new Exec(argv, TargetPath.ROOT, Apt.ENV, Optional.empty(), Optional.empty(), lines::add));
        if (!r.ok()) {
            List<String> errors = lines.stream().filter(l -> l.startsWith("E: ")).toList();
            throw new ResourceException("apt cannot resolve " + String.join(" ", names) + " (run apt-get update, or check the names): "
                    + String.join(" ", errors.isEmpty() ? r.tail() : errors));
        }
        Map<String, String[]> inst = new java.util.TreeMap<>();
        for (String l : lines) {
            Matcher m = INST.matcher(l);
            if (m.find()) {
                inst.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
        }
        if (inst.isEmpty()) {
            throw new ResourceException("apt resolved " + String.join(" ", names) + " to no package at all");
        }
        Map<String, String> shas = digests(control, inst);
        List<Deb> out = new ArrayList<>();
        for (var e : inst.entrySet()) {
            String name = e.getKey().contains(":") ? e.getKey().substring(0, e.getKey().indexOf(':')) : e.getKey();
            String version = e.getValue()[0];
            String arch = e.getValue()[1];
            String sha = shas.get(name + "=" + version);
            if (sha == null) {
                throw new ResourceException("apt's index gives no sha256 for " + name + " " + version);
            }
            out.add(new Deb(name, version, arch, sha));
        }
        return List.copyOf(out);
    }

    /** {@code name=version} → SHA256, in one {@code apt-cache show} for all of them. */
    private static Map<String, String> digests(Host control, Map<String, String[]> inst) throws IOException, ResourceException {
        List<String> argv = new ArrayList<>(List.of("apt-cache", "show", "--no-all-versions"));
        inst.forEach((name, v) -> argv.add(name + "=" + v[0]));
        List<String> lines = new ArrayList<>();
        Exec.Result r = control.query(new Exec(argv, TargetPath.ROOT, Apt.ENV, Optional.empty(), Optional.empty(), lines::add));
        if (!r.ok()) {
            throw new ResourceException("apt-cache show failed (exit " + r.exitCode() + "): " + r.tailText());
        }
        Map<String, String> out = new LinkedHashMap<>();
        String pkg = null;
        String version = null;
        for (String l : lines) {
            if (l.startsWith("Package: ")) {
                pkg = l.substring(9).trim();
                version = null;
            } else if (l.startsWith("Version: ")) {
                version = l.substring(9).trim();
            } else if (l.startsWith("SHA256: ") && pkg != null && version != null) {
                out.putIfAbsent(pkg + "=" + version, l.substring(8).trim());
            }
        }
        return out;
    }

    /** When a file of apt's or dpkg's on the control machine last changed, as a key; "absent" when it is not there. */
    static String changed(String path) {
        try {
            return Files.getLastModifiedTime(Path.of(path)).toString();
        } catch (IOException e) {
            return "absent";
        }
    }

    /** Where the cache keeps (or will keep) a .deb of this digest. */
    public static Path cached(Context ctx, String sha256) {
        return ArchiveType.cachedPath(ctx.cacheDir(), sha256);
    }

    /** The download cache the .debs share with the archives' downloads. */
    private static ContentStore store(Context ctx) {
        // The directory that names the archives' cache files, whatever the digest.
        return new ContentStore(cached(ctx, "0".repeat(64)).getParent());
    }

    /**
     * The .deb from the cache, fetched first with {@code apt-get download} (on the control
     * machine, in a private directory of the cache) when the cache lacks it; verified against
     * the sha256 of apt's index before it enters the cache. A copy already kept is not hashed
     * again here: the caller, the archive kind, hashes every byte it unpacks on the way and
     * refuses (and removes) a copy that no longer holds that digest — a second read of 140 MB
     * would only repeat it.
     */
    public static Path fetch(Context ctx, String aptArgument, String sha256) throws IOException, ResourceException {
        download(ctx, Map.of(aptArgument, sha256), false);
        return cached(ctx, sha256);
    }

    /**
     * Every .deb of {@code debs} that the cache lacks, fetched by one {@code apt-get download}
     * (one connection, where one per package costs seconds each), each verified like {@link #fetch}.
     */
    public static void fetchAll(Context ctx, List<Deb> debs) throws IOException, ResourceException {
        Map<String, String> all = new LinkedHashMap<>();
        debs.forEach(d -> all.put(d.aptArgument(), d.sha256()));
        download(ctx, all, true);
    }

    /**
     * Downloads {@code apt argument → sha256} that the cache lacks (or, with {@code checkKept},
     * holds damaged: such a copy is removed and fetched again), and keeps each verified .deb. A
     * kept copy is never used through a link either way.
     */
    private static void download(Context ctx, Map<String, String> wanted, boolean checkKept)
            throws IOException, ResourceException {
        ContentStore store = store(ctx);
        Map<String, String> missing = new LinkedHashMap<>();
        for (var e : wanted.entrySet()) {
            if ((checkKept ? store.checked(e.getValue()) : store.path(e.getValue())).isEmpty()) {
                missing.put(e.getKey(), e.getValue());
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        Files.createDirectories(store.dir());
        sweep(store.dir(), ctx.cacheDir()); // a killed run's download directory
        Path work = workDir(store.dir());
        try {
            String what = String.join(" ", missing.keySet());
            Exec.Result r = ctx.control().exec(new Exec(Apt.download(List.copyOf(missing.keySet())), TargetPath.of(work.toString()), Apt.ENV, Optional.empty(), Optional.empty(), ctx::output));
            if (!r.ok()) {
                throw new ResourceException("apt-get download " + what + " failed (exit " + r.exitCode() + "):\n" + r.tailText());
            }
            Map<String, Path> bySha = new java.util.HashMap<>();
            try (var files = Files.list(work)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".deb")
                        && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    bySha.put(sha256(f), f);
                }
            }
            for (var e : missing.entrySet()) {
                Path got = bySha.get(e.getValue());
                if (got == null) {
                    throw new ResourceException("apt-get download " + e.getKey() + " gave no .deb with the sha256 of apt's index ("
                            + e.getValue() + "); nothing of it was used");
                }
                store.adopt(got, e.getValue()); // renamed in, never copied
            }
        } finally {
            PathUtils.delete(work); // whatever apt-get left there, subdirectories included
        }
    }

    /** The sha256 of a local file, in hex (never through a link). */
    public static String sha256(Path file) throws IOException {
        return ContentStore.sha256Of(file);
    }

    // ------------------------------------------------------------------ leftovers of killed runs

    private static final Pattern OWNED = Pattern.compile("\\.download-(\\d{1,18})-\\d+");
    private static final Pattern OLD_DOWNLOAD = Pattern.compile("\\.download-\\d+");
    private static final Pattern OLD_FETCH = Pattern.compile("\\.fetch-\\d+\\.part");

    /** A new private directory in the store for one {@code apt-get download}, named by this process. */
    static Path workDir(Path storeDir) throws IOException {
        return Files.createTempDirectory(storeDir, ".download-" + ProcessHandle.current().pid() + "-");
    }

    /**
     * What a killed run leaves in the download cache, removed by the next download: the directory
     * {@code apt-get download} wrote into ({@code .download-<pid>-<n>} in the store, named by the
     * process that made it), and the files of older layouts ({@code .download-<n>} directories,
     * {@code .fetch-<n>.part} files in the cache's top directory). Only names of exactly these
     * patterns, only a real directory or file (a link, and what it leads to, stays), only when last
     * written more than an hour ago ({@link #GRACE}, the content store's own rule: a cache may be
     * shared with other machines or PID namespaces, where a process number says nothing, and a
     * directory's time does not move while apt streams one large .deb into it), and only when its
     * maker is gone: a dead owner (or a live process of that number started after the directory was
     * last written: the number was reused), or, for the older layouts, which name no owner, a last
     * write before this process started. A live run's directory, this process's own included, stays.
     * Best effort: whatever cannot be removed is left for the next run.
     */
    /** How long a leftover of a killed download is left alone after its last write. */
    static final Duration GRACE = Duration.ofHours(1);

    static void sweep(Path storeDir, Path cacheDir) {
        Optional<Instant> started = ProcessHandle.current().info().startInstant();
        for (Path p : list(storeDir)) {
            String name = p.getFileName().toString();
            Matcher owned = OWNED.matcher(name);
            if (owned.matches()) {
                remove(p, true, a -> ownerGone(Long.parseLong(owned.group(1)), a.lastModifiedTime().toInstant()));
            } else if (OLD_DOWNLOAD.matcher(name).matches()) {
                remove(p, true, a -> olderThan(a, started));
            }
        }
        for (Path p : list(cacheDir)) {
            if (OLD_FETCH.matcher(p.getFileName().toString()).matches()) {
                remove(p, false, a -> olderThan(a, started));
            }
        }
    }

    private interface Gone {
        boolean test(BasicFileAttributes a);
    }

    private static void remove(Path p, boolean directory, Gone gone) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            boolean kind = directory ? a.isDirectory() : a.isRegularFile();
            boolean old = a.lastModifiedTime().toInstant().isBefore(Instant.now().minus(GRACE));
            if (kind && old && gone.test(a)) {
                PathUtils.delete(p); // a link inside is removed as a link, never followed
            }
        } catch (NoSuchFileException e) {
            // another run removed it meanwhile
        } catch (IOException e) {
            // left for the next run
        }
    }

    private static boolean ownerGone(long pid, Instant lastWrite) {
        Optional<ProcessHandle> owner = ProcessHandle.of(pid);
        if (owner.isEmpty()) {
            return true;
        }
        Optional<Instant> start = owner.get().info().startInstant();
        return start.isPresent() && start.get().isAfter(lastWrite);
    }

    private static boolean olderThan(BasicFileAttributes a, Optional<Instant> started) {
        return started.isPresent() && a.lastModifiedTime().toInstant().isBefore(started.get());
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (var entries = Files.list(dir)) {
            return entries.toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
