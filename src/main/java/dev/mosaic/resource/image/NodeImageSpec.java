package dev.mosaic.resource.image;

import java.util.List;
import java.util.Optional;

/**
 * A node's root file system: Debian packages with their dependency closure, minus
 * {@code exclude}d paths, plus declared files, links and directories, packed as {@code format}
 * with every entry's mtime at {@code epoch}, and written to {@code path} on the target.
 */
public record NodeImageSpec(String path, Format format, List<String> packages, List<String> exclude,
                            List<FileEntry> files, List<LinkEntry> links, List<String> dirs, long epoch) {

    public enum Format { CPIO, SQUASHFS }

    /**
     * A file of the image: inline content or a source (relative: next to the playbook; absolute:
     * on the target). {@code sensitive}: its content is a secret, so the image holds one.
     */
    public record FileEntry(String path, Optional<String> content, Optional<String> source, int mode, int uid, int gid,
                            boolean sensitive) {
    }

    public record LinkEntry(String path, String target) {
    }

    /** The image paths of the files marked sensitive, sorted. */
    public List<String> secrets() {
        return files.stream().filter(FileEntry::sensitive).map(FileEntry::path).sorted().toList();
    }
}
