package dev.mosaic.resource;

import dev.mosaic.host.Host;

import java.nio.file.Path;

/**
 * What a resource may use while observing or applying: the target {@link Host} and a channel for
 * output lines (command output, progress) that the engine routes to logs and the terminal. A kind
 * never prints by itself.
 */
public interface Context {

    Host host();

    /**
     * The machine Mosaic runs on, for control-side inputs such as a playbook-relative source file.
     * Equal to {@link #host()} when the target is the local machine without a sandbox root.
     */
    Host control();

    /** The directory of the playbook that declared the resource, for control-side relative paths. */
    Path baseDir();

    /** One line of output from the resource's work, e.g. a build's stdout. */
    void output(String line);

    /** This resource's persistent notes on the target. */
    Memory memory();

    /** The control machine's content-addressed download cache, shared by all playbooks. */
    Path cacheDir();

    /** The playbook's lock file of pinned digests. */
    Pins pins();

    /**
     * Whether another resource of the playbook manages {@code path} or a directory above it — what
     * a purge must leave alone.
     */
    default boolean managedByOther(String path) {
        return false;
    }

    /**
     * Whether another resource of the playbook will make {@code path} itself: it produces that
     * path, or a tree above it that comes with its content (not a mere container directory).
     */
    default boolean producedByOther(String path) {
        return false;
    }

    /**
     * Whether another resource of the playbook produces, modifies or fills {@code path}, a path
     * above it or a path below it: whether a tree written there could meet another resource's work
     * (two archives unpacked into one directory).
     */
    default boolean sharedWithOther(String path) {
        return false;
    }
}
