package dev.mosaic.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * apt pointed at package lists a test writes, never at the machine's: a {@code file:} source whose
 * Packages list is written straight into a lists directory of its own (apt-cache reads lists, it
 * needs no Release file for that), an empty dpkg status, and a cache directory in the temp dir.
 * No network, no root. {@link #options()} for a command line, {@link #aptConfig()} for a child
 * process ({@code APT_CONFIG}, which apt reads before its other configuration).
 *
 * <pre>{@code
 * FakeArchive archive = FakeArchive.in(tmp.resolve("apt"));
 * archive.packages(FakeArchive.metapackage("linux-image-amd64", "6.1.162-1", "linux-image-6.1.0-57-amd64"));
 * }</pre>
 */
public final class FakeArchive {

    private final Path dir;

    private FakeArchive(Path dir) {
        this.dir = dir;
    }

    /** An archive with no packages yet, below {@code dir}. */
    public static FakeArchive in(Path dir) throws IOException {
        FakeArchive a = new FakeArchive(dir.toAbsolutePath());
        Files.createDirectories(a.lists().resolve("partial"));
        Files.createDirectories(dir.resolve("cache/archives/partial"));
        Files.createDirectories(dir.resolve("parts"));
        Files.createDirectories(dir.resolve("repo"));
        Files.writeString(dir.resolve("sources.list"), "deb [trusted=yes] file:" + a.dir.resolve("repo") + " bookworm main\n");
        Files.writeString(dir.resolve("status"), "");
        StringBuilder conf = new StringBuilder();
        for (String[] o : a.settings()) {
            conf.append(o[0]).append(" \"").append(o[1]).append("\";\n");
        }
        Files.writeString(dir.resolve("apt.conf"), conf.toString());
        a.packages();
        return a;
    }

    /** A metapackage stanza: {@code name} at {@code version}, depending on {@code depends} (a Depends field's text). */
    public static String metapackage(String name, String version, String depends) {
        return "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + (depends == null ? "" : "Depends: " + depends + "\n")
                + "Filename: pool/main/l/" + name + "_" + version + "_amd64.deb\nSize: 1000\n"
                + "SHA256: " + "0".repeat(64) + "\nDescription: " + name + " (test stanza)\n";
    }

    /** Replaces the archive's Packages list by these stanzas. */
    public FakeArchive packages(String... stanzas) throws IOException {
        // apt names a list file after its URI: '/' becomes '_'.
        String name = (dir.resolve("repo") + "/dists/bookworm/main/binary-amd64/Packages").replace('/', '_');
        Files.writeString(lists().resolve(name), String.join("\n", stanzas) + (stanzas.length == 0 ? "" : "\n"));
        return this;
    }

    /** {@code -o NAME=VALUE} pairs for an apt command line. */
    public List<String> options() {
        return settings().stream().flatMap(o -> java.util.stream.Stream.of("-o", o[0] + "=" + o[1])).toList();
    }

    /** A configuration file with the same settings, for {@code APT_CONFIG}. */
    public Path aptConfig() {
        return dir.resolve("apt.conf");
    }

    private Path lists() {
        return dir.resolve("lists");
    }

    private List<String[]> settings() {
        return List.of(
                new String[] {"Dir::State::Lists", lists().toString()},
                new String[] {"Dir::Cache", dir.resolve("cache").toString()},
                new String[] {"Dir::Etc::SourceList", dir.resolve("sources.list").toString()},
                new String[] {"Dir::Etc::SourceParts", dir.resolve("parts").toString()},
                new String[] {"Dir::State::status", dir.resolve("status").toString()},
                new String[] {"Dir::Etc::Preferences", dir.resolve("preferences").toString()},
                new String[] {"Dir::Etc::PreferencesParts", dir.resolve("parts").toString()},
                new String[] {"APT::Architecture", "amd64"},
                new String[] {"APT::Architectures", "amd64"});
    }
}
