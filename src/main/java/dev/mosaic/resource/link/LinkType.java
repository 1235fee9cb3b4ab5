package dev.mosaic.resource.link;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/** A symbolic link. */
public final class LinkType implements ResourceType<LinkSpec, FileStat> {

    @Override
    public String kind() {
        return "link";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "a symbolic link";
    }

    @Override
    public LinkSpec parse(SpecReader r) {
        String path = r.absolutePath("path");
        if (path.startsWith("/") && TargetPaths.normalize(path).equals("/")) {
            r.error("path", "must name a link below the root, not the root directory itself");
        }
        boolean present = r.word("ensure").equals("present");
        String target = present ? r.string("target") : r.optString("target").orElse("");
        if (present && target.isEmpty() && r.has("target")) {
            r.error("target", "must not be empty");
        } else if (!target.isEmpty()) {
            r.pathValue("target", target);
        }
        return new LinkSpec(path, target, present, r.bool("force"));
    }

    /** A link reads its target (when it is inside the managed world), so it comes after it. */
    @Override
    public Paths paths(LinkSpec spec) {
        if (spec.target().isEmpty()) {
            return Paths.produces(spec.path());
        }
        String resolved = spec.target().startsWith("/") ? spec.target()
                : TargetPaths.join(TargetPaths.parent(spec.path()), spec.target());
        if (resolved.contains("/../") || resolved.endsWith("/..")) {
            return Paths.produces(spec.path());
        }
        return new Paths(Set.of(spec.path()), Set.of(TargetPaths.normalize(resolved)));
    }

    @Override
    public FileStat observe(LinkSpec spec, Context ctx) throws IOException {
        return ctx.host().stat(TargetPath.of(spec.path()));
    }

    @Override
    public Change diff(LinkSpec spec, FileStat stat) throws ResourceException {
        if (!spec.present()) {
            return stat.isSymlink()
                    ? new Change(Action.DELETE, List.of(new Diff.Field("target", stat.linkTarget(), null)))
                    : Change.NOOP;
        }
        return switch (stat.kind()) {
            case ABSENT -> new Change(Action.CREATE, List.of(new Diff.Field("target", null, spec.target())));
            case SYMLINK -> stat.linkTarget().equals(spec.target())
                    ? Change.NOOP
                    : new Change(Action.UPDATE, List.of(new Diff.Field("target", stat.linkTarget(), spec.target())));
            case DIRECTORY -> throw new ResourceException(spec.path() + " is a directory; refusing to replace it with a link");
            case FILE, OTHER -> {
                if (!spec.force()) {
                    throw new ResourceException(spec.path() + " is a " + stat.kindWord()
                            + "; set 'force: true' to replace it with a link");
                }
                yield new Change(Action.REPLACE, List.of(new Diff.Field("type", stat.kindWord(), "symlink"),
                        new Diff.Field("target", null, spec.target())));
            }
        };
    }

    @Override
    public void apply(LinkSpec spec, Change change, Context ctx) throws IOException {
        if (change.action() == Action.DELETE) {
            ctx.host().delete(TargetPath.of(spec.path()));
        } else {
            ctx.host().symlink(TargetPath.of(spec.path()), spec.target());
        }
    }
}
