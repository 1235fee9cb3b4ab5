package dev.mosaic.engine;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.StatCache;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.SchemaCache;
import dev.mosaic.state.LockFile;
import dev.mosaic.state.StateDir;
import dev.mosaic.state.StateStore;
import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files Mosaic keeps for itself (sensitive paths, stat cache, schema cache, {@code mosaic.lock})
 * are replaced through a fresh temp name made with {@code O_EXCL}: a link planted at the fixed
 * temp names they once used ({@code .sensitive-paths.json.tmp}, {@code statcache.bin.tmp},
 * {@code .schema.cache.tmp}, {@code .mosaic.lock.tmp}) is never written through.
 */
class StateTempNamesHostileTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path stateDir;
    private Canary canary;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        stateDir = Files.createDirectories(root.resolve("var/lib/mosaic"));
        canary = Canary.plant(tmp.resolve("outside"));
    }

    private void plant(Path at) throws IOException {
        Files.createSymbolicLink(at, canary.file());
    }

    @Test
    void apply_sensitiveResource_linkAtTheOldSensitivePathsTempName_neverWrittenThrough() throws IOException {
        plant(stateDir.resolve(".sensitive-paths.json.tmp"));
        Path dir = Files.createDirectories(tmp.resolve("pb"));
        Files.writeString(dir.resolve("secret.txt"), "s3cret-value\n");
        Path playbookFile = dir.resolve("site.yml");
        Files.writeString(playbookFile, """
                resources:
                  conf: { type: file, path: /etc/app.conf, content: "key=${file:secret.txt}\\n" }
                """);
        Playbook p = new PlaybookLoader(BuiltinKinds.create()).load(playbookFile, Map.of());
        Diagnostics d = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, d);
        d.throwIfErrors();
        Engine engine = new Engine(new LocalHost(root), new LocalHost(Path.of("/")), StateStore.open(stateDir), Events.NONE,
                1, tmp.resolve("cache"));
        Engine.ApplyResult r = engine.apply(p, g, null, false);

        assertThat(r.failed()).as("%s", r.outcomes()).isFalse();
        assertThat(Files.isRegularFile(stateDir.resolve("sensitive-paths.json"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readString(stateDir.resolve("sensitive-paths.json"))).contains("/etc/app.conf");
        canary.assertUntouched();
    }

    @Test
    void statCacheSave_linkAtTheOldTempName_neverWrittenThrough() throws IOException {
        plant(stateDir.resolve("statcache.bin.tmp"));
        StatCache cache = StatCache.load(stateDir.resolve("statcache.bin"));
        cache.record("/srv/a", 2, 1_000, "ino=1", "ab12", 10_000_000_000L);
        cache.save();

        assertThat(Files.isRegularFile(stateDir.resolve("statcache.bin"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(StatCache.load(stateDir.resolve("statcache.bin")).lookup("/srv/a", 2, 1_000, "ino=1")).isEqualTo("ab12");
        canary.assertUntouched();
    }

    @Test
    void schemaCacheSave_linkAtTheOldTempName_neverWrittenThrough() throws IOException {
        plant(stateDir.resolve(".schema.cache.tmp"));
        SchemaCache cache = SchemaCache.open(stateDir.resolve("schema.cache"), StateDir::writeAtomic);
        new PlaybookLoader(BuiltinKinds.create(), List.of(), cache).load(Path.of("site.yml"), """
                resources:
                  motd: { type: file, path: /etc/motd, content: "hi\\n" }
                """, Map.of());
        cache.save();

        assertThat(Files.isRegularFile(stateDir.resolve("schema.cache"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        canary.assertUntouched();
    }

    @Test
    void lockFilePin_linkAtTheOldTempName_neverWrittenThrough() throws IOException {
        Path pb = Files.createDirectories(tmp.resolve("pb"));
        plant(pb.resolve(".mosaic.lock.tmp"));
        new LockFile(pb.resolve("mosaic.lock")).pin("https://example.invalid/a.tar", "a".repeat(64));

        assertThat(Files.isRegularFile(pb.resolve("mosaic.lock"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(new LockFile(pb.resolve("mosaic.lock")).get("https://example.invalid/a.tar")).contains("a".repeat(64));
        canary.assertUntouched();
    }

    @Test
    void lockFilePin_severalInstancesAtOnce_alwaysLeaveAWholeFile() throws Exception {
        Path file = Files.createDirectories(tmp.resolve("pb")).resolve("mosaic.lock");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                LockFile lock = new LockFile(file); // one per fork, as Engine makes them per run
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        lock.pin("https://example.invalid/" + writer + "/" + i, "%064x".formatted(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get(); // no run failed on a temp file another one removed or renamed
            }
        } finally {
            pool.shutdownNow();
        }
        // whole JSON (a lost pin is re-pinned by the next fetch; a torn file would stop every run)
        assertThat(new LockFile(file).get("https://example.invalid/0/0")).isNotNull();
        try (var s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("mosaic.lock");
        }
    }
}
