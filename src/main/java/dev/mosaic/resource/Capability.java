package dev.mosaic.resource;

/**
 * What a kind declares about itself, beyond its three verbs, for the engine to plan and apply it
 * right (see {@link ResourceType#capabilities()}). A kind declares none by default: the common
 * case — a kind that runs commands, produces directories with what lies in them, does not follow
 * its inputs' content and has nothing to refresh — needs no word.
 */
public enum Capability {

    /**
     * What the kind does depends on the content of what it reads (a build, a copy, a file copied
     * from a target path): a plan in which something upstream changes marks it as changing too,
     * since its observation of today's inputs cannot tell. Apply observes again, so nothing is
     * redone for nothing.
     */
    FOLLOWS_INPUTS,

    /**
     * A directory the kind produces is a mere container whose content other resources make (a
     * {@code directory}, a TFTP root), not a tree that comes with what is inside it (a copy's, an
     * archive's).
     */
    CONTAINERS_ONLY,

    /**
     * {@code apply} changes the target only through the {@link Context#host()} calls (writes,
     * mkdirs, symlinks, deletions; no commands). The engine then sees everything the kind creates
     * as it happens and need not stat its produced paths before and after.
     */
    ONLY_THROUGH_HOST,

    /**
     * The kind does something when notified ({@code notify:}) by a changed resource: it
     * implements {@link ResourceType#refresh}.
     */
    REFRESHABLE
}
