package dev.mosaic.resource.image;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The node image cache removes what it replaces or what a killed build left, links and all, never through them. */
class ImageCacheTest {

    @TempDir
    Path tmp;

    /** A tree like a materialized root file system: absolute and relative links, some aimed outside. */
    private static void fill(Path dir, Canary canary) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("bin/busybox"), "binary");
        Files.createSymbolicLink(dir.resolve("bin/sh"), Path.of("busybox"));
        Files.createSymbolicLink(dir.resolve("etc"), canary.subdir());
        Files.createSymbolicLink(dir.resolve("motd"), canary.file());
        Files.createSymbolicLink(dir.resolve("outside"), canary.dir());
    }

    @Test
    void staging_removesWhatAKilledBuildLeftADayAgo_withoutFollowingItsLinks() throws IOException {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        ImageCache cache = new ImageCache(tmp.resolve("cache"));
        Path old = cache.staging();
        fill(old.resolve("tree"), canary);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path recent = cache.staging();

        Path fresh = cache.staging();

        assertThat(old).doesNotExist();
        assertThat(List.of(recent, fresh)).allMatch(Files::isDirectory);
        canary.assertUntouched();
    }

    @Test
    void store_replacesAnEntryHoldingLinks_withoutFollowingThem() throws IOException {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        ImageCache cache = new ImageCache(tmp.resolve("cache"));
        Path entry = cache.image("abc").getParent();
        fill(entry, canary);
        Path built = Files.writeString(tmp.resolve("built"), "image bytes");

        cache.store("abc", built, new ImageCache.Manifest("sha", 11, "local", List.of()));

        assertThat(cache.manifest("abc")).map(ImageCache.Manifest::sha256).contains("sha");
        assertThat(Files.exists(entry.resolve("outside"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        canary.assertUntouched();
    }
}
