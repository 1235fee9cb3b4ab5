package dev.mosaic.resource.copy;

import dev.mosaic.host.FileStat;

import java.util.List;

/**
 * The exact work a copy has to do, computed by observe+diff and handed to apply as the change's
 * detail: entries to write (with the source's metadata) and relative paths to remove.
 */
record CopyPlan(boolean createDest, List<Item> write, List<String> remove, java.util.Set<String> removedDirs) {

    /** {@code replaces}: the destination has something at that path already. */
    record Item(String relativePath, FileStat source, boolean replaces) {
    }
}
