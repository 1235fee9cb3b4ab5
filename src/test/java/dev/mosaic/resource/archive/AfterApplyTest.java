package dev.mosaic.resource.archive;

import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.ForwardingContext;
import dev.mosaic.resource.Memory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observe the engine makes right after an apply (its verify) takes what the unpack saw after
 * its last write instead of {@code lstat}ing every entry again: once, in the same resource's
 * context, and only while the manifest there is the one that apply wrote.
 */
class AfterApplyTest extends ArchiveTestSupport {

    private static final int FILES = 60;

    private static byte[] tree() {
        Archives a = Archives.of().dir("src/").dir("src/lib/").symlink("src/latest", "lib");
        for (int i = 0; i < FILES; i++) {
            a.file("src/lib/f" + i + ".c", "int f" + i + ";\n");
        }
        return a.tarGz();
    }

    private ArchiveSpec src() {
        return spec("""
                type: archive
                source: src.tgz
                dest: /usr/src
                """);
    }

    /** The rig's context, its host's {@code stat}s counted. */
    private Context counting(AtomicInteger stats) {
        Host inner = rig.host();
        Host host = (Host) Proxy.newProxyInstance(Host.class.getClassLoader(), new Class<?>[] {Host.class}, (p, m, args) -> {
            if (m.getName().equals("stat")) {
                stats.incrementAndGet();
            }
            try {
                return m.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return new ForwardingContext(rig) {
            @Override
            public Host host() {
                return host;
            }
        };
    }

    private Change applied(Context ctx) throws Exception {
        Change change = ARCHIVE.diff(src(), ARCHIVE.observe(src(), ctx));
        assertThat(change.action()).isEqualTo(Action.CREATE);
        ARCHIVE.apply(src(), change, ctx);
        return change;
    }

    @Test
    void theObserveRightAfterAnApplyStatsNoEntryAndFindsNothingLeft() throws Exception {
        playbookFile("src.tgz", tree());
        AtomicInteger stats = new AtomicInteger();
        Context ctx = counting(stats);
        applied(ctx);

        stats.set(0);
        Change left = ARCHIVE.diff(src(), ARCHIVE.observe(src(), ctx));
        assertThat(left.isNoop()).isTrue();
        assertThat(stats.get()).as("stats of the observe after apply").isLessThan(5);

        // Any later observe compares the tree anew, every entry stat'ed.
        stats.set(0);
        assertThat(ARCHIVE.diff(src(), ARCHIVE.observe(src(), ctx)).isNoop()).isTrue();
        assertThat(stats.get()).isGreaterThanOrEqualTo(FILES);
    }

    @Test
    void handedOverOnceThenAChangeMadeAfterTheApplyIsSeen() throws Exception {
        playbookFile("src.tgz", tree());
        applied(rig);
        ARCHIVE.observe(src(), rig); // the verify
        Files.delete(rig.at("/usr/src/src/lib/f7.c"));

        Change plan = plan(src(), rig);

        assertThat(plan.action()).isEqualTo(Action.UPDATE);
        assertThat(tree(plan).added()).containsExactly("src/lib/f7.c");
    }

    @Test
    void notHandedOverWhenTheManifestIsNoLongerTheOneWritten() throws Exception {
        playbookFile("src.tgz", tree());
        applied(rig);
        Files.delete(rig.at("/usr/src/src/lib/f3.c"));
        // Another writer of the note (the same manifest, written anew with a space more).
        rig.memory().put(Manifest.KEY, rig.memory().get(Manifest.KEY).orElseThrow() + " ");

        Change plan = plan(src(), rig);

        assertThat(tree(plan).added()).containsExactly("src/lib/f3.c");
    }

    @Test
    void notHandedOverToAnotherContextOfTheSameNotes() throws Exception {
        playbookFile("src.tgz", tree());
        applied(rig);
        Files.delete(rig.at("/usr/src/src/lib/f5.c"));
        Memory same = rig.memory();
        Context other = new ForwardingContext(rig) {
            @Override
            public Memory memory() {
                return new Memory() {
                    @Override
                    public Optional<String> get(String key) throws IOException {
                        return same.get(key);
                    }

                    @Override
                    public void put(String key, String value) throws IOException {
                        same.put(key, value);
                    }
                };
            }
        };

        Change plan = ARCHIVE.diff(src(), ARCHIVE.observe(src(), other));

        assertThat(tree(plan).added()).containsExactly("src/lib/f5.c");
    }
}
