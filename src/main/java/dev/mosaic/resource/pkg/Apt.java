package dev.mosaic.resource.pkg;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The dpkg and apt commands the package kind runs, with their exact argument vectors. */
final class Apt {

    static final Map<String, String> ENV = Map.of("DEBIAN_FRONTEND", "noninteractive", "LC_ALL", "C");

    private Apt() {
    }

    /** A package's candidate (or pinned) version and the sha256 of its .deb, from apt's lists. */
    record Candidate(String version, String sha256, String filename) {
    }

    static List<String> dpkgQuery(String name) {
        return List.of("dpkg-query", "-W", "-f=${db:Status-Abbrev}|${Version}\\n", name);
    }

    static List<String> aptCacheShow(PackageSpec spec) {
        return List.of("apt-cache", "show", "--no-all-versions", spec.aptArgument());
    }

    static List<String> install(List<String> aptArguments) {
        List<String> argv = new ArrayList<>(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends",
                "-o", "DPkg::Lock::Timeout=300", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"));
        argv.addAll(aptArguments);
        return argv;
    }

    static List<String> remove(List<String> names) {
        List<String> argv = new ArrayList<>(List.of("apt-get", "remove", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"));
        argv.addAll(names);
        return argv;
    }

    static List<String> download(List<String> aptArguments) {
        List<String> argv = new ArrayList<>(List.of("apt-get", "download", "-q", "-o", "Debug::NoLocking=1"));
        argv.addAll(aptArguments);
        return argv;
    }

    /** The installed version, empty when the package is not installed (or only configured-files remain). */
    static Optional<String> installedVersion(Host host, String name) throws IOException {
        Exec.Result r = host.query(new Exec(dpkgQuery(name), TargetPath.ROOT, ENV, Optional.empty(), Optional.empty(), l -> { }));
        if (!r.ok() || r.tail().isEmpty()) {
            return Optional.empty();
        }
        String[] parts = r.tail().get(r.tail().size() - 1).split("\\|", 2);
        return parts.length == 2 && parts[0].startsWith("ii") ? Optional.of(parts[1]) : Optional.empty();
    }

    /**
     * Candidates already asked of the control machine's apt by this process, keyed by the package
     * and the times apt's lists and dpkg's status last changed: the package kind (state unpacked)
     * asks for one three times per apply (plan, apply, the observe after it), and each
     * {@code apt-cache show} costs 0.5–2 s on a busy machine (most of an unpack of a one-file .deb).
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Candidate> CANDIDATES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The candidate of the control machine's apt ({@link #candidate}), asked once per process and
     * kept between runs in the control machine's cache while none of apt's inputs changed
     * ({@link AptCandidates}).
     */
    static Candidate controlCandidate(dev.mosaic.resource.Context ctx, PackageSpec spec) throws IOException, ResourceException {
        String key = Debs.changed("/var/lib/apt/lists") + " " + Debs.changed("/var/lib/dpkg/status") + " " + spec.aptArgument();
        Candidate known = CANDIDATES.get(key);
        if (known != null) {
            return known;
        }
        Candidate c = new AptCandidates(ctx.cacheDir(), AptCandidates.APT_INPUTS)
                .get(spec.aptArgument(), () -> candidate(ctx.control(), spec));
        CANDIDATES.put(key, c);
        return c;
    }

    static Candidate candidate(Host host, PackageSpec spec) throws IOException, ResourceException {
        List<String> lines = new ArrayList<>();
        Exec.Result r = host.query(new Exec(aptCacheShow(spec), TargetPath.ROOT, ENV, Optional.empty(), Optional.empty(), lines::add));
        String version = null;
        String sha = null;
        String file = null;
        for (String l : lines) {
            if (l.startsWith("Version: ") && version == null) {
                version = l.substring(9).trim();
            } else if (l.startsWith("SHA256: ") && sha == null) {
                sha = l.substring(8).trim();
            } else if (l.startsWith("Filename: ") && file == null) {
                file = l.substring(10).trim();
            }
        }
        if (!r.ok() || version == null || sha == null) {
            throw new ResourceException("apt knows no package " + spec.aptArgument()
                    + " (run apt-get update, or check the name and version): " + String.join(" ", r.tail()));
        }
        return new Candidate(version, sha, file == null ? "" : file);
    }
}
