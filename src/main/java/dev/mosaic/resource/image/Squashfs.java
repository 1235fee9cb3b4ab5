package dev.mosaic.resource.image;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Packs a {@link RootFs} as a squashfs with {@code mksquashfs}: the tree is written below the
 * staging directory, then packed with one time for every inode and the superblock, and each
 * entry's mode and owner (root unless the playbook gave one) through a pseudo file ({@code m}
 * lines: mode, uid, gid of an existing entry) — so the bytes depend on the tree only, not on the
 * machine's clock, its umask or who ran the build.
 */
final class Squashfs {

    private Squashfs() {
    }

    static void pack(RootFs fs, Path staging, Path image, long epoch, Context ctx) throws IOException, ResourceException {
        Path root = staging.resolve("root");
        fs.materialize(root);
        // Every entry's owner and mode are given in the pseudo file, so neither the account that
        // ran the build nor its umask shows in the image.
        StringBuilder pseudo = new StringBuilder();
        for (var e : fs.nodes().entrySet()) {
            if (e.getKey().indexOf('\n') >= 0) {
                throw new ResourceException("the image path /" + e.getKey().replace('\n', '?') + " holds a newline, which a squashfs pseudo file cannot name");
            }
            int[] m = modeAndOwner(e.getValue());
            pseudo.append(quote(e.getKey())).append(" m ").append(Integer.toOctalString(m[0])).append(' ').append(m[1])
                    .append(' ').append(m[2]).append('\n');
        }
        Path pf = staging.resolve("owners.pseudo");
        Files.writeString(pf, pseudo, StandardCharsets.UTF_8);
        List<String> argv = List.of("mksquashfs", root.toString(), image.toString(), "-noappend", "-reproducible",
                "-mkfs-time", Long.toString(epoch), "-all-time", Long.toString(epoch), "-root-uid", "0", "-root-gid", "0",
                "-pf", pf.toString(), "-no-progress", "-quiet");
        Exec.Result r = ctx.control().exec(new Exec(argv, TargetPath.of(staging.toString()), Map.of("LC_ALL", "C"), Optional.empty(),
                Optional.empty(), ctx::output));
        if (!r.ok()) {
            throw new ResourceException("mksquashfs failed (exit " + r.exitCode() + ")"
                    + (r.exitCode() == 127 ? ": is squashfs-tools installed on the control machine?" : "") + ":\n" + r.tailText());
        }
    }

    /** Permission bits, uid and gid of an entry; a symlink's are fixed (0777, root). */
    private static int[] modeAndOwner(RootFs.Node n) {
        if (n instanceof RootFs.File f) {
            return new int[] {f.mode(), f.uid(), f.gid()};
        }
        if (n instanceof RootFs.Dir d) {
            return new int[] {d.mode(), d.uid(), d.gid()};
        }
        return new int[] {0777, 0, 0};
    }

    /** A pseudo file's name: quoted, with quotes and backslashes escaped. */
    private static String quote(String path) {
        return "\"" + path.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
