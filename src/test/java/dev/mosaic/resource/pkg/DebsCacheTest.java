package dev.mosaic.resource.pkg;

import dev.mosaic.base.Sha256;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Pins;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The .debs in the download cache: {@code apt-get download} is a real process, a stand-in script
 * that writes the .deb the test chose (the machine's apt is never asked), into a real cache
 * directory below the test's temp dir.
 */
class DebsCacheTest {

    private static final String DEB = "hello_2.10-3_amd64.deb";
    private static final String ARG = "hello:amd64=2.10-3";

    @TempDir
    Path tmp;
    Path cache;
    Path script;
    Path runs;
    /** What the stand-in apt-get writes as the .deb. */
    Path served;
    final List<String> output = new ArrayList<>();

    @BeforeEach
    void standIn() throws IOException {
        cache = tmp.resolve("cache");
        runs = tmp.resolve("runs");
        served = Files.writeString(tmp.resolve("served"), "the real package");
        script = tmp.resolve("apt-get");
        Files.writeString(script, """
                #!/bin/sh
                echo "$*" >> '%s'
                cp '%s' '%s'
                """.formatted(runs, served, DEB));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    private Context ctx() {
        LocalHost local = new LocalHost(Path.of("/"));
        // The control machine, with apt-get being the stand-in.
        Host control = (Host) Proxy.newProxyInstance(Host.class.getClassLoader(), new Class<?>[] {Host.class}, (p, m, args) -> {
            if (m.getName().equals("exec") && ((Exec) args[0]).argv().get(0).equals("apt-get")) {
                Exec e = (Exec) args[0];
                List<String> argv = new ArrayList<>(e.argv());
                argv.set(0, script.toString());
                args = new Object[] {new Exec(argv, e.dir(), e.env(), e.stdin(), e.timeout(), e.output(), e.network())};
            }
            try {
                return m.invoke(local, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return new Context() {
            public Host host() {
                return local;
            }

            public Host control() {
                return control;
            }

            public Path baseDir() {
                return tmp;
            }

            public void output(String line) {
                output.add(line);
            }

            public Memory memory() {
                throw new UnsupportedOperationException("no memory here");
            }

            public Path cacheDir() {
                return cache;
            }

            public Pins pins() {
                throw new UnsupportedOperationException("no pins here");
            }
        };
    }

    private long runs() throws IOException {
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    @Test
    void aDebIsFetchedOnce_namedByItsDigest_andReusedWithoutApt() throws Exception {
        String sha = Sha256.hex("the real package");

        Path deb = Debs.fetch(ctx(), ARG, sha);
        Path again = Debs.fetch(ctx(), ARG, sha);

        assertThat(deb).isEqualTo(cache.resolve("sha256").resolve(sha)).hasContent("the real package").isEqualTo(again);
        assertThat(runs()).as("apt-get ran once").isEqualTo(1);
        assertThat(Files.readString(runs)).contains("download").contains(ARG);
        assertThat(entries()).as("no work directory nor temp file left").containsExactly(deb);
    }

    @Test
    void aCacheOfTheEarlierLayout_isReused() throws Exception {
        String sha = Sha256.hex("fetched by an earlier version");
        Files.createDirectories(cache.resolve("sha256"));
        Files.writeString(cache.resolve("sha256").resolve(sha), "fetched by an earlier version");

        assertThat(Debs.fetch(ctx(), ARG, sha)).hasContent("fetched by an earlier version");
        assertThat(runs()).isZero();
    }

    @Test
    void aDamagedCachedDeb_isFetchedAgain_forTheNodeImage() throws Exception {
        String sha = Sha256.hex("the real package");
        Path deb = Debs.fetch(ctx(), ARG, sha);
        Files.writeString(deb, "the real pack4ge"); // a flipped byte on disk

        Debs.fetchAll(ctx(), java.util.List.of(new Debs.Deb("hello", "2.10-3", "amd64", sha)));

        assertThat(deb).hasContent("the real package");
        assertThat(runs()).isEqualTo(2);
    }

    @Test
    void aKeptDeb_isNotHashedAgainForTheArchiveKind_whichHashesWhatItUnpacks() throws Exception {
        String sha = Sha256.hex("the real package");
        Path deb = Debs.fetch(ctx(), ARG, sha);
        Files.writeString(deb, "the real pack4ge");

        // The archive kind refuses it on the way and removes it (HashedSpoolTest); here it is only found.
        assertThat(Debs.fetch(ctx(), ARG, sha)).isEqualTo(deb);
        assertThat(runs()).isEqualTo(1);
    }

    @Test
    void aLinkAtTheDigestsName_isNeverUsedNorWrittenThrough() throws Exception {
        String sha = Sha256.hex("the real package");
        Path outside = Files.writeString(tmp.resolve("outside"), "the real package");
        Files.createDirectories(cache.resolve("sha256"));
        Files.createSymbolicLink(cache.resolve("sha256").resolve(sha), outside);

        Path deb = Debs.fetch(ctx(), ARG, sha);

        assertThat(runs()).as("a link is no cached copy").isEqualTo(1);
        assertThat(Files.isRegularFile(deb, LinkOption.NOFOLLOW_LINKS)).as("the link was replaced").isTrue();
        assertThat(outside).hasContent("the real package");
    }

    @Test
    void aDebWithAnotherDigestThanAptsIndex_isRefused_andNothingIsKept() throws Exception {
        Files.writeString(served, "a tampered package");

        assertThatThrownBy(() -> Debs.fetch(ctx(), ARG, Sha256.hex("the real package")))
                .isInstanceOf(ResourceException.class)
                .hasMessageContaining("gave no .deb with the sha256 of apt's index")
                .hasMessageContaining(ARG);
        assertThat(entries()).isEmpty();
    }
}
