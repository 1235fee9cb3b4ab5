package dev.mosaic.resource.archive;

import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.ArchiveReader.Kind;
import dev.mosaic.resource.archive.Unpacker.Item;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static dev.mosaic.resource.archive.Unpacker.parent;

/**
 * The checks of an archive that need all of its entries, run once they were read and before the
 * archive's symlinks are made: nothing is unpacked below a symlink or a file of the same archive,
 * and every symlink, followed through the archive's own symlinks as the kernel would once all is
 * unpacked, ends inside the destination ({@code rootfs}: absolute targets and {@code ..} resolve
 * inside it, as in a chroot).
 */
final class Confinement {

    private static final int MAX_LINK_HOPS = 40;

    private final String dest;
    private final boolean rootfs;
    private final Budget.Refusals refusals;

    Confinement(String dest, boolean rootfs, Budget.Refusals refusals) {
        this.dest = dest;
        this.rootfs = rootfs;
        this.refusals = refusals;
    }

    /** Refuses the first entry, in archive order, that breaks either rule. */
    void check(List<Item> items, Map<String, Item> byPath) throws ResourceException {
        for (Item item : items) {
            checkAncestors(item, byPath);
        }
        for (Item item : items) {
            if (item.kind() == Kind.SYMLINK) {
                checkLink(item, byPath);
            }
        }
    }

    private ResourceException refuse(String entryName, String reason) {
        return refusals.refuse(entryName, reason);
    }

    /** Nothing may be unpacked below a symlink or a file of the same archive. */
    private void checkAncestors(Item item, Map<String, Item> byPath) throws ResourceException {
        for (String dir = parent(item.path()); dir != null; dir = parent(dir)) {
            Item a = byPath.get(dir);
            if (a == null) {
                continue;
            }
            if (a.kind() == Kind.SYMLINK) {
                throw refuse(item.entryName(), "lies below '" + a.entryName() + "', a symlink of the same archive;"
                        + " writing through it could leave " + dest);
            }
            if (a.kind() == Kind.FILE || a.kind() == Kind.HARDLINK) {
                throw refuse(item.entryName(), "lies below '" + a.entryName() + "', which the archive has as a file");
            }
        }
    }

    /**
     * Follows a symlink's target through the archive's own symlinks, as the kernel would once
     * everything is unpacked, and refuses it when it ends outside the destination.
     */
    private void checkLink(Item link, Map<String, Item> byPath) throws ResourceException {
        List<String> destParts = parts(dest);
        List<String> at = new ArrayList<>(destParts);
        at.addAll(parts(parent(link.path()) == null ? "" : parent(link.path())));
        Deque<String> todo = new ArrayDeque<>();
        push(todo, at, link.link(), rootfs ? destParts : List.of());
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!at.isEmpty() && !(rootfs && at.size() <= destParts.size())) {
                    at.remove(at.size() - 1);
                }
                continue;
            }
            at.add(c);
            if (at.size() > destParts.size() && inside(at, destParts)) {
                Item i = byPath.get(String.join("/", at.subList(destParts.size(), at.size())));
                if (i != null && i.kind() == Kind.SYMLINK) {
                    if (++hops > MAX_LINK_HOPS) {
                        throw refuse(link.entryName(), "is a symlink in a loop of symlinks");
                    }
                    at.remove(at.size() - 1);
                    push(todo, at, i.link(), rootfs ? destParts : List.of());
                }
            }
        }
        if (!inside(at, destParts)) {
            throw refuse(link.entryName(), "is a symlink to '" + link.link() + "', which points outside " + dest
                    + " (to /" + String.join("/", at) + ")");
        }
    }

    /** @param top where an absolute target starts from: the machine's root, or dest for a root file system */
    private static void push(Deque<String> todo, List<String> at, String target, List<String> top) {
        if (target.startsWith("/")) {
            at.clear();
            at.addAll(top);
        }
        String[] ps = target.split("/");
        for (int i = ps.length - 1; i >= 0; i--) {
            todo.addFirst(ps[i]);
        }
    }

    private static boolean inside(List<String> at, List<String> destParts) {
        return at.size() >= destParts.size() && at.subList(0, destParts.size()).equals(destParts);
    }

    private static List<String> parts(String path) {
        List<String> out = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }
}
