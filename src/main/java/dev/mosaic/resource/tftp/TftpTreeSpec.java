package dev.mosaic.resource.tftp;

import java.util.Map;

/** A TFTP root: relative file names mapped to their sources, and whether to purge the rest. */
public record TftpTreeSpec(String root, Map<String, Entry> files, boolean purge) {

    /** A source (absolute: on the target; relative: next to the playbook) and the file's mode. */
    public record Entry(String source, int mode) {
    }
}
