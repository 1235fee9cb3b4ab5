package dev.mosaic.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A directory outside the root that an attack would aim at: a file with known content, mode and
 * mtime, and an empty sub-directory. {@link #assertUntouched()} checks everything observable about
 * it (content, mode, owner, size, mtime, inode, no new entries) with {@link TreeSnapshot}.
 *
 * <pre>{@code
 * Canary canary = Canary.plant(tmp.resolve("outside"));
 * // link ROOT/etc/x -> canary.file(), then plan/apply/restore...
 * canary.assertUntouched();
 * }</pre>
 */
public final class Canary {

    private final Path dir;
    private final List<String> before;

    private Canary(Path dir, List<String> before) {
        this.dir = dir;
        this.before = before;
    }

    /** Makes {@code dir} with {@code canary.txt} (mode 0644, mtime 2001-01-01) and {@code sub/}. */
    public static Canary plant(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Path file = dir.resolve("canary.txt");
        Files.writeString(file, "canary: must never change\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(978_307_200_000L));
        Files.setLastModifiedTime(dir.resolve("sub"), FileTime.fromMillis(978_307_200_000L));
        return new Canary(dir, TreeSnapshot.of(dir));
    }

    /** The directory holding the canary. */
    public Path dir() {
        return dir;
    }

    /** The canary file: aim links here. */
    public Path file() {
        return dir.resolve("canary.txt");
    }

    /** An empty directory outside the root: aim directory links here. */
    public Path subdir() {
        return dir.resolve("sub");
    }

    /** Fails naming every difference when anything below {@link #dir()} changed. */
    public void assertUntouched() throws IOException {
        assertThat(Files.exists(dir, LinkOption.NOFOLLOW_LINKS)).as("canary directory %s still exists", dir).isTrue();
        assertThat(TreeSnapshot.of(dir)).as("everything below the canary directory %s", dir).isEqualTo(before);
    }
}
