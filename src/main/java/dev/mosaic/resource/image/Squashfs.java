package dev.mosaic.resource.image;

import dev.mosaic.host.Exec;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Packs a {@link RootFs} as a squashfs with {@code mksquashfs}: the tree is written below the
 * staging directory, then packed with one time for every inode and the superblock, root as the
 * owner of everything, and the owners the playbook gave through a pseudo file ({@code m} lines:
 * mode, uid, gid of an existing entry) — so the bytes depend on the tree only, not on the
 * machine's clock or on who ran the build.
 */
final class Squashfs {

    private Squashfs() {
    }

    static void pack(RootFs fs, Path staging, Path image, long epoch, Context ctx) throws IOException, ResourceException {
        Path root = staging.resolve("root");
        fs.materialize(root);
        List<String> argv = new ArrayList<>(List.of("mksquashfs", root.toString(), image.toString(), "-noappend", "-reproducible",
                "-mkfs-time", Long.toString(epoch), "-all-time", Long.toString(epoch), "-all-root", "-no-progress", "-quiet"));
        StringBuilder pseudo = new StringBuilder();
        for (var e : fs.nodes().entrySet()) {
            if (e.getValue() instanceof RootFs.File f && (f.uid() != 0 || f.gid() != 0)) {
                pseudo.append(quote(e.getKey())).append(" m ").append(Integer.toOctalString(f.mode())).append(' ')
                        .append(f.uid()).append(' ').append(f.gid()).append('\n');
            }
        }
        if (pseudo.length() > 0) {
            Path pf = staging.resolve("owners.pseudo");
            Files.writeString(pf, pseudo, StandardCharsets.UTF_8);
            argv.addAll(List.of("-pf", pf.toString()));
        }
        Exec.Result r = ctx.control().exec(new Exec(argv, staging.toString(), Map.of("LC_ALL", "C"), Optional.empty(),
                Optional.empty(), ctx::output));
        if (!r.ok()) {
            throw new ResourceException("mksquashfs failed (exit " + r.exitCode() + ")"
                    + (r.exitCode() == 127 ? ": is squashfs-tools installed on the control machine?" : "") + ":\n" + r.tailText());
        }
    }

    /** A pseudo file's name: quoted, with quotes and backslashes escaped. */
    private static String quote(String path) {
        return "\"" + path.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
