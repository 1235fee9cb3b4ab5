package dev.mosaic.resource.initrd;

import java.util.List;
import java.util.Optional;

/** The declared content of an initramfs image written to {@code path}. */
public record InitrdSpec(String path, Optional<String> init, List<FileEntry> files, List<TreeEntry> trees,
                         List<LinkEntry> links, List<String> dirs, List<NodeEntry> nodes, boolean compress) {

    /**
     * A file of the image: inline content, or a source (absolute: on the target; relative: next to
     * the playbook). {@code sensitive}: its content is a secret (a munge key), so the image holds one.
     */
    public record FileEntry(String path, Optional<String> content, Optional<String> source, Optional<Integer> mode,
                            boolean sensitive) {
    }

    /** The image paths of the files marked sensitive, sorted. */
    public List<String> secrets() {
        return files.stream().filter(FileEntry::sensitive).map(FileEntry::path).sorted().toList();
    }

    /** A whole tree copied into the image at {@code path}. */
    public record TreeEntry(String path, String source) {
    }

    public record LinkEntry(String path, String target) {
    }

    /** A device node: {@code kind} char or block. */
    public record NodeEntry(String path, boolean block, int major, int minor, int mode) {
    }
}
