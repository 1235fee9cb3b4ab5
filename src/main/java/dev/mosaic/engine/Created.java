package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Capability;
import dev.mosaic.state.History;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What Mosaic created for each resource, recorded in the state: what removing the resource from
 * the playbook later deletes (see {@link Removals}), and nothing else.
 */
final class Created {

    private final Host host;
    private final StateStore state;

    Created(Host host, StateStore state) {
        this.host = host;
        this.state = state;
    }

    /** The paths the resource declares it produces that do not exist yet. */
    Set<String> absentProduced(ResourceDecl d) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String p : d.bound().paths().produces()) {
            if (!host.stat(TargetPath.of(p)).exists()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Adds to the resource's record of created paths: what it created through its host (null for
     * a batch), and each produced path that was absent before and exists now — with everything
     * below it when the kind's directories come with their content (a copy, an archive).
     */
    void note(ResourceDecl d, ResourceHost target, Set<String> absentBefore) throws IOException {
        String address = d.address().toString();
        SortedSet<String> old = state.created(address);
        SortedSet<String> now = new TreeSet<>(old);
        if (target != null) {
            for (String gone : target.deleted()) {
                now.removeIf(p -> p.equals(gone) || p.startsWith(gone + "/"));
            }
            now.addAll(target.created());
        }
        for (String p : absentBefore) {
            TargetPath path = TargetPath.of(p);
            FileStat st = host.stat(path);
            if (!st.exists()) {
                continue;
            }
            now.add(p);
            if (st.isDirectory() && !d.type().has(Capability.CONTAINERS_ONLY)) {
                for (TreeEntry e : host.walk(path)) {
                    now.add(p + "/" + e.relativePath());
                }
            }
        }
        if (!now.equals(old)) {
            state.recordCreated(address, now);
        }
    }

    /**
     * What an apply killed since the last one that ended created without recording it: a path is
     * named in the run's history journal (as absent before) before it is made, but recorded as
     * created only after. Each such path that exists now is recorded for the resource that made it,
     * so that removing that resource later removes the path too.
     */
    void recover(History history) throws IOException {
        for (String id : history.interruptedSinceLastEnded()) {
            if (!history.run(id).map(r -> r.command() != null && r.command().startsWith("apply")).orElse(false)) {
                continue; // a restore puts back what was there: nothing it makes is a resource's own
            }
            Map<String, SortedSet<String>> found = new TreeMap<>();
            for (History.Touch t : history.touches(id)) {
                if ("absent".equals(t.before()) && t.address() != null && t.path() != null && t.path().startsWith("/")
                        && t.path().indexOf('\0') < 0 && host.stat(TargetPath.of(t.path())).exists()) {
                    found.computeIfAbsent(t.address(), a -> new TreeSet<>(state.created(a))).add(t.path());
                }
            }
            for (Map.Entry<String, SortedSet<String>> e : found.entrySet()) {
                state.recordCreated(e.getKey(), e.getValue());
            }
        }
    }
}
