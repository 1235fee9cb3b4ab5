package dev.mosaic.resource.archive;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.playbook.SchemaValidator;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.directory.DirectoryType;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * Drives the archive kind the way the engine does (observe, diff, apply, observe again) through a
 * registry of its own, against sandbox roots below the test's temp directory.
 */
abstract class ArchiveTestSupport {

    static final Kinds KINDS = new Kinds(List.of(new ArchiveType(), new FileType(), new DirectoryType()));
    static final ArchiveType ARCHIVE = (ArchiveType) KINDS.find("archive").orElseThrow();

    @TempDir
    Path tmp;

    /** The default target: its own root and memory, the shared playbook directory and cache. */
    Rig rig;

    @BeforeEach
    void setUpRig() {
        rig = rig("target");
    }

    Rig rig(String name) {
        return rig(name, tmp.resolve("cache"));
    }

    Rig rig(String name, Path cacheDir) {
        return new Rig(tmp.resolve(name + "-root"), tmp.resolve(name + "-memory"), tmp.resolve("playbook"), cacheDir);
    }

    /** A file next to the playbook. */
    Path playbookFile(String name, byte[] bytes) {
        return Archives.write(tmp.resolve("playbook").resolve(name), bytes);
    }

    /** Parses a resource body after checking it against the kind's schema, as the loader would. */
    static ArchiveSpec spec(String yaml, Path baseDir) {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("test.yaml", yaml, diags);
        assertThat(diags.hasErrors()).as("YAML errors").isFalse();
        new SchemaValidator().validate(root, "resources/archive.schema.json", diags);
        SpecReader reader = new SpecReader("res", (YNode.Map) root, diags, baseDir);
        Object spec = diags.hasErrors() ? null : ARCHIVE.parse(reader);
        if (diags.hasErrors() || spec == null) {
            fail("spec rejected: " + diags.sorted().stream().map(Diagnostic::render).toList());
        }
        return (ArchiveSpec) spec;
    }

    ArchiveSpec spec(String yaml) {
        return spec(yaml, tmp.resolve("playbook"));
    }

    static Change plan(ArchiveSpec spec, Rig rig) throws IOException, ResourceException {
        return ARCHIVE.diff(spec, ARCHIVE.observe(spec, rig));
    }

    /** What the engine does in apply: converge, then observe again and expect nothing left. */
    static Change converge(ArchiveSpec spec, Rig rig) throws IOException, ResourceException {
        Change change = plan(spec, rig);
        if (!change.isNoop()) {
            ARCHIVE.apply(spec, change, rig);
            Change left = plan(spec, rig);
            assertThat(left.action()).as("after apply, the resource still differs: %s", left.diffs()).isEqualTo(Action.NOOP);
        }
        return change;
    }

    /** The failure of a converge that must fail. */
    static ResourceException refusal(ArchiveSpec spec, Rig rig) {
        ResourceException e = catchThrowableOfType(() -> converge(spec, rig), ResourceException.class);
        if (e == null) {
            fail("expected the archive to be refused");
        }
        return e;
    }

    static Diff.Field field(Change c, String name) {
        return c.diffs().stream().filter(d -> d instanceof Diff.Field && d.field().equals(name))
                .map(Diff.Field.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no field '" + name + "' in " + c.diffs()));
    }

    static Diff.Tree tree(Change c) {
        return c.diffs().stream().filter(d -> d instanceof Diff.Tree).map(Diff.Tree.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no tree in " + c.diffs()));
    }

    static String sha256(byte[] bytes) {
        return Digests.sha256(bytes);
    }

    static String text(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int mode(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Everything below a directory, byte for byte: relative path → kind, mode, content digest or
     * link target, and modification time. Equal snapshots mean nothing was written.
     */
    static Map<String, String> snapshot(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Map.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).collect(Collectors.toMap(p -> dir.relativize(p).toString(), ArchiveTestSupport::describe,
                    (a, b) -> a, TreeMap::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(Path p) {
        try {
            String mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toString();
            if (Files.isSymbolicLink(p)) {
                return "symlink " + Files.readSymbolicLink(p) + " " + mtime;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return "dir " + Integer.toOctalString(mode(p));
            }
            return "file " + Integer.toOctalString(mode(p)) + " " + sha256(Files.readAllBytes(p)) + " " + mtime;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
