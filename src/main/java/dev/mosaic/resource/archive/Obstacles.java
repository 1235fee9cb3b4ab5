package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.TargetPaths;
import dev.mosaic.resource.archive.Unpacker.Item;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import static dev.mosaic.resource.archive.Unpacker.kindWord;
import static dev.mosaic.resource.archive.Unpacker.parent;

/** What is in the target's way of an archive that passed its checks, looked at between the passes. */
final class Obstacles {

    private final String dest;
    private final String what;

    /** @param what the archive as messages name it */
    Obstacles(String dest, String what) {
        this.dest = dest;
        this.what = what;
    }

    /**
     * Refuses, before anything is written, when the target has something in the way that
     * unpacking would have to delete: a directory where the archive has a file or symlink, or a
     * file where it needs a directory.
     *
     * @param only the paths to write, or null for all
     */
    void check(Unpacker.Layout layout, Set<String> only, Host host) throws IOException, ResourceException {
        FileStat d = host.stat(TargetPath.of(dest));
        if (d.exists() && !d.isDirectory() && !d.isSymlink()) {
            throw new ResourceException("cannot unpack " + what + ": the destination " + dest + " is a " + d.kindWord()
                    + ", not a directory; nothing was written");
        }
        if (!d.exists()) {
            return; // a destination yet to be made has nothing in the way: no stat per entry
        }
        Set<String> seenParents = new HashSet<>();
        for (Item item : layout.items()) {
            if (only != null && !only.contains(item.path())) {
                continue;
            }
            String p = TargetPaths.join(dest, item.path());
            FileStat s = host.stat(TargetPath.of(p));
            boolean blocked = switch (item.kind()) {
                case DIRECTORY -> s.exists() && !s.isDirectory() && !s.isSymlink();
                default -> s.isDirectory();
            };
            if (blocked) {
                throw occupied(p, s, kindWord(item.kind()), item.entryName());
            }
            for (String dir = parent(item.path()); dir != null && seenParents.add(dir); dir = parent(dir)) {
                String dp = TargetPaths.join(dest, dir);
                FileStat ds = host.stat(TargetPath.of(dp));
                if (ds.exists() && !ds.isDirectory() && !ds.isSymlink()) {
                    throw occupied(dp, ds, "directory", item.entryName());
                }
            }
        }
    }

    private ResourceException occupied(String path, FileStat s, String wanted, String entryName) {
        return new ResourceException("cannot unpack " + what + ": " + path + " is a " + s.kindWord()
                + " on the target, where entry '" + entryName + "' needs a " + wanted
                + "; Mosaic will not delete it; nothing was written to " + dest);
    }
}
