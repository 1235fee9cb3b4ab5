import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The JVM floor of a no-op run (bench/run): the least a JVM must do to tell that a converged tree
 * is unchanged — start, walk the tree, lstat every entry, read and SHA-256 every regular file —
 * with nothing else (no playbook, no graph, no state). Run with the launcher's JVM flags, so the
 * difference to Mosaic's no-op is what Mosaic itself costs.
 *
 * <p>Prints the number of files and one digest over all of them, so the work cannot be skipped.
 */
public final class Floor {

    public static void main(String[] args) throws Exception {
        MessageDigest all = MessageDigest.getInstance("SHA-256");
        MessageDigest one = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        long files = 0;
        try (Stream<Path> walk = Files.walk(Path.of(args[0]))) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile()) {
                    continue;
                }
                one.reset();
                try (InputStream in = Files.newInputStream(p)) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        one.update(buf, 0, n);
                    }
                }
                all.update(one.digest());
                all.update((byte) a.permissions().size());
                files++;
            }
        }
        System.out.println(files + " files, " + HexFormat.of().formatHex(all.digest()));
    }

    private Floor() {
    }
}
