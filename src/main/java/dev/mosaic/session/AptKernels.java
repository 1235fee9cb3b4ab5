package dev.mosaic.session;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.KernelLookup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${kernel:METAPACKAGE}} answered by the control machine's apt, the one the package kind
 * fetches .debs with: {@code apt-cache show --no-all-versions METAPACKAGE} gives the candidate
 * version apt would fetch, and its {@code Depends:} names the kernel ({@code linux-image-RELEASE},
 * the first one when alternatives are offered, as apt would choose). Reads the package lists only:
 * no download, no lock, no root. Honours apt's own configuration ({@code APT_CONFIG} included).
 * Each metapackage is asked once per process: the inventory's hosts load the same playbook.
 */
final class AptKernels implements KernelLookup {

    /** apt on this machine, as configured. */
    static final AptKernels SYSTEM = new AptKernels(new LocalHost(Path.of("/")), "apt-cache", List.of());

    /** A kernel image package: {@code linux-image-} then a release, which starts with a digit. */
    private static final Pattern KERNEL = Pattern.compile("linux-image-([0-9][a-z0-9+.-]*)");

    private final Host control;
    private final String aptCache;
    private final List<String> options;
    private final Map<String, String> known = new ConcurrentHashMap<>();

    /**
     * @param aptCache the command (a name on PATH, or a path)
     * @param options  apt options put before the command ({@code -o Dir::State::Lists=…})
     */
    AptKernels(Host control, String aptCache, List<String> options) {
        this.control = control;
        this.aptCache = aptCache;
        this.options = List.copyOf(options);
    }

    @Override
    public String release(String metapackage) throws Failed {
        String release = known.get(metapackage);
        if (release == null) {
            release = ask(metapackage);
            known.put(metapackage, release);
        }
        return release;
    }

    private String ask(String metapackage) throws Failed {
        List<String> argv = new ArrayList<>(List.of(aptCache));
        argv.addAll(options);
        argv.addAll(List.of("show", "--no-all-versions", metapackage));
        List<String> lines = new ArrayList<>();
        Exec.Result r;
        try {
            // LC_ALL=C: the field names and messages parsed below are apt's untranslated ones.
            r = control.query(new Exec(argv, TargetPath.ROOT, Map.of("LC_ALL", "C"), Optional.empty(), Optional.empty(), lines::add));
        } catch (IOException e) {
            String reason = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new Failed("the kernel is read from apt's package lists on this machine, and " + aptCache
                    + " cannot run here (" + reason + "): install apt, or give the release as the variable's value"
                    + " (e.g. --var kernel_version=6.1.0-57-amd64)");
        }
        String version = field(lines, "Version");
        String depends = field(lines, "Depends");
        if (!r.ok() || version == null) {
            List<String> errors = lines.stream().filter(l -> l.startsWith("E: ") || l.startsWith("N: ")).toList();
            throw new Failed("apt knows no package " + metapackage + " (" + String.join(" ", errors.isEmpty() ? r.tail() : errors)
                    + "): run apt-get update, or check the name (a kernel metapackage such as linux-image-amd64)");
        }
        for (String dependency : depends == null ? new String[0] : depends.split(",")) {
            for (String alternative : dependency.split("\\|")) {
                Matcher m = KERNEL.matcher(alternative.trim().replaceFirst("[ (:].*", ""));
                if (m.matches()) {
                    return m.group(1);
                }
            }
        }
        throw new Failed(metapackage + " " + version + " depends on no kernel image (linux-image-RELEASE): "
                + (depends == null ? "it has no Depends field" : "Depends: " + depends)
                + "; name a kernel metapackage such as linux-image-amd64");
    }

    /** The value of a field of the (single) stanza, continuation lines joined; null when absent. */
    private static String field(List<String> lines, String name) {
        StringBuilder value = null;
        for (String l : lines) {
            if (value != null && (l.startsWith(" ") || l.startsWith("\t"))) {
                value.append(' ').append(l.trim());
            } else if (value != null) {
                break;
            } else if (l.startsWith(name + ":")) {
                value = new StringBuilder(l.substring(name.length() + 1).trim());
            }
        }
        return value == null ? null : value.toString();
    }
}
