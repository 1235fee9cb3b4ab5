package dev.mosaic.engine;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.directory.DirectoryType;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.state.StateStore;
import dev.mosaic.testing.SecretGrep;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a backup may keep is decided by what the path held, not by what its resource is now: the
 * secret a sensitive resource left in a file is not backed up when the resource stops being
 * sensitive, nor when another resource takes the path over; plain content is backed up again
 * once a non-sensitive resource has rewritten the file.
 */
class SensitiveBackupsTest {

    private static final String SECRET = "back\"up/ sécret-9e";

    @TempDir
    Path tmp;

    private Path root;
    private Path stateDir;
    private Path playbookFile;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        stateDir = root.resolve("var/lib/mosaic");
        Path dir = Files.createDirectories(tmp.resolve("pb"));
        playbookFile = dir.resolve("site.yml");
        Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
    }

    private Engine.ApplyResult apply(String yaml) throws IOException {
        Files.writeString(playbookFile, yaml);
        Playbook p = new PlaybookLoader(new Kinds(List.of(new FileType(), new DirectoryType()))).load(playbookFile, Map.of());
        Diagnostics d = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, d);
        d.throwIfErrors();
        Engine engine = new Engine(new LocalHost(root), new LocalHost(Path.of("/")), StateStore.open(stateDir), Events.NONE,
                1, tmp.resolve("cache"));
        Engine.ApplyResult r = engine.apply(p, g, null, false);
        assertThat(r.failed()).as("%s", r.outcomes()).isFalse();
        return r;
    }

    private List<String> backedUp() throws IOException {
        try (var s = Files.list(stateDir.resolve("backups"))) {
            return s.filter(Files::isRegularFile).map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        }
    }

    @Test
    void apply_resourceNoLongerSensitive_doesNotBackUpTheSecretItLeft() throws IOException {
        apply("""
                resources:
                  conf: { type: file, path: /etc/app.conf, content: "key=${file:secret.txt}\\n" }
                """);
        assertThat(Files.readString(root.resolve("etc/app.conf"))).contains(SECRET);

        apply("""
                resources:
                  conf: { type: file, path: /etc/app.conf, content: "key=none\\n" }
                """);

        assertThat(Files.readString(root.resolve("etc/app.conf"))).isEqualTo("key=none\n");
        assertThat(SecretGrep.in(stateDir, SECRET)).isEmpty();

        // Plain now: the next change backs it up as usual.
        apply("""
                resources:
                  conf: { type: file, path: /etc/app.conf, content: "key=other\\n" }
                """);
        assertThat(backedUp()).contains("key=none\n");
    }

    @Test
    void apply_anotherResourceTakesThePathOver_doesNotBackUpTheSecret() throws IOException {
        apply("""
                resources:
                  secret: { type: file, path: /etc/token, content: "${file:secret.txt}" }
                  plain: { type: file, path: /etc/motd, content: "hello\\n" }
                """);

        apply("""
                resources:
                  renamed: { type: file, path: /etc/token, content: "revoked\\n" }
                  plain: { type: file, path: /etc/motd, content: "hello again\\n" }
                """);

        assertThat(Files.readString(root.resolve("etc/token"))).isEqualTo("revoked\n");
        assertThat(SecretGrep.in(stateDir, SECRET)).isEmpty();
        assertThat(backedUp()).as("other paths are backed up as before").contains("hello\n");
    }
}
