package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Mode and ownership checks shared by the filesystem kinds. */
public final class Ownership {

    private Ownership() {
    }

    /** The numeric id for a user name (or number), -1 when not managed; ids above 2^31 - 1 are negative ints. */
    public static int uid(Host host, Optional<String> owner) throws IOException, ResourceException {
        if (owner.isEmpty()) {
            return -1;
        }
        return host.uidOf(owner.get()).orElseThrow(() -> new ResourceException("unknown user '" + owner.get() + "'"));
    }

    public static int gid(Host host, Optional<String> group) throws IOException, ResourceException {
        if (group.isEmpty()) {
            return -1;
        }
        return host.gidOf(group.get()).orElseThrow(() -> new ResourceException("unknown group '" + group.get() + "'"));
    }

    public static String octal(int mode) {
        return String.format("%04o", mode);
    }

    /** Field diffs for mode, owner and group of an existing path. */
    public static void diff(FileStat stat, Optional<Integer> mode, int wantUid, int wantGid, List<Diff> out) {
        if (mode.isPresent() && stat.mode() != mode.get()) {
            out.add(new Diff.Field("mode", octal(stat.mode()), octal(mode.get())));
        }
        if (wantUid != -1 && stat.uid() != wantUid) {
            out.add(new Diff.Field("owner", Integer.toUnsignedString(stat.uid()), Integer.toUnsignedString(wantUid)));
        }
        if (wantGid != -1 && stat.gid() != wantGid) {
            out.add(new Diff.Field("group", Integer.toUnsignedString(stat.gid()), Integer.toUnsignedString(wantGid)));
        }
    }

    /** Field diffs for mode, owner and group of a path about to be created. */
    public static void created(Optional<Integer> mode, int defaultMode, int wantUid, int wantGid, List<Diff> out) {
        out.add(new Diff.Field("mode", null, octal(mode.orElse(defaultMode))));
        if (wantUid != -1) {
            out.add(new Diff.Field("owner", null, Integer.toUnsignedString(wantUid)));
        }
        if (wantGid != -1) {
            out.add(new Diff.Field("group", null, Integer.toUnsignedString(wantGid)));
        }
    }

    /** Brings mode and ownership of an existing path in line. */
    public static void converge(Host host, String path, Optional<Integer> mode, int wantUid, int wantGid)
            throws IOException {
        if (wantUid != -1 || wantGid != -1) {
            host.chown(TargetPath.of(path), wantUid, wantGid);
        }
        if (mode.isPresent()) {
            host.chmod(TargetPath.of(path), mode.get()); // after chown, which clears setuid bits
        }
    }
}
