package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Host;

/**
 * Where a resource reads an input from, by the rule every kind follows: an absolute path is on the
 * target (below {@code --root}, e.g. what a package or a build put there); a relative path is on
 * the machine running Mosaic, next to the playbook (or the module) that declared the resource.
 */
public record Source(Host host, String path) {

    public static Source of(String written, Context ctx) {
        return written.startsWith("/") ? new Source(ctx.host(), written)
                : new Source(ctx.control(), ctx.baseDir().resolve(written).toAbsolutePath().normalize().toString());
    }

    public boolean exists() throws java.io.IOException {
        return host.stat(TargetPath.of(path)).exists();
    }
}
