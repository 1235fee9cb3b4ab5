package dev.mosaic.cli;

import dev.mosaic.resource.Kinds;

/**
 * The resource kinds Mosaic ships: those registered in
 * {@code META-INF/services/dev.mosaic.resource.ResourceType} (see {@link Kinds#installed()}).
 */
public final class BuiltinKinds {

    private BuiltinKinds() {
    }

    public static Kinds create() {
        return Kinds.installed();
    }
}
