package dev.mosaic.resource.archive;

import dev.mosaic.resource.KindSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An archive to fetch and unpack into {@code dest}.
 *
 * @param source          where to get it; {@code mirrors} are tried after it, in order
 * @param sha256          the expected digest (lower-case hex), if the playbook gives one
 * @param format          the format as written ({@link ArchiveFormat#AUTO}: by name, then by content)
 * @param creates         a guard: when this target path exists, nothing is done
 * @param allowSetuid     whether regular files may carry setuid/setgid bits
 * @param maxSize         the most bytes the archive may unpack to
 * @param maxRatio        the most unpacked bytes per archive byte (past the first MiB)
 * @param maxEntries      the most entries the archive may have
 * @param include         paths (relative to {@code dest}, after stripping) to unpack; empty: all.
 *                        A path ending in '/' selects a whole tree.
 * @param rootfs          the archive is a root file system (a .deb for a node root): absolute
 *                        symlink targets and {@code ..} resolve inside {@code dest}, as in a chroot
 */
public record ArchiveSpec(Location source, List<Location> mirrors, Optional<String> sha256, String dest,
                          ArchiveFormat format, int stripComponents, Optional<String> creates, boolean allowSetuid,
                          long maxSize, double maxRatio, long maxEntries, List<String> include, boolean rootfs) {

    public ArchiveSpec {
        mirrors = List.copyOf(mirrors);
        include = List.copyOf(include);
    }

    /**
     * A .deb known by its digest, unpacked as a root file system into {@code dest} — the package
     * kind's way of populating a tree. The package kind puts the file into the cache
     * ({@link ArchiveType#cachedPath}) before apply; {@code origin} (e.g. {@code apt:pxelinux=6.04})
     * only names it in messages. Its limits are the archive kind's defaults, read from its schema.
     */
    public static ArchiveSpec deb(String origin, String sha256, String dest, List<String> include) {
        KindSchema archive = KindSchema.of("archive");
        return new ArchiveSpec(new Location(origin, true, null), List.of(), Optional.of(sha256), dest, ArchiveFormat.DEB, 0,
                Optional.empty(), true, Sizes.parse(archive.defaultText("max_size")),
                SpecParser.ratio(archive.defaultText("max_ratio")), archive.defaultInteger("max_entries"), include, true);
    }

    /** Whether an unpacked path (relative to dest) is selected by {@code include}, or leads to one. */
    boolean selects(String path) {
        if (include.isEmpty()) {
            return true;
        }
        for (String inc : include) {
            String i = inc.startsWith("/") ? inc.substring(1) : inc;
            String bare = i.endsWith("/") ? i.substring(0, i.length() - 1) : i;
            if (path.equals(bare) || (i.endsWith("/") && path.startsWith(i)) || bare.startsWith(path + "/")) {
                return true;
            }
        }
        return false;
    }

    /** The source, then the mirrors. */
    List<Location> candidates() {
        List<Location> all = new ArrayList<>();
        all.add(source);
        all.addAll(mirrors);
        return all;
    }

    boolean anyNetwork() {
        return candidates().stream().anyMatch(Location::network);
    }
}
