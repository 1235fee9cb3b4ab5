package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.ResourceType;

import java.nio.file.Path;
import java.util.List;

/**
 * A resource as the playbook declares it: its address, its parsed spec bound to its kind
 * ({@code bound}, through which the engine calls the kind), the engine fields
 * ({@code requires}, {@code notify}, {@code description}) and where it was written.
 * {@code configDigest} identifies the resolved configuration (without engine fields), so that a
 * later run can tell a config change from drift.
 *
 * <p>{@code id} is unique in the playbook: the id as written for the playbook's own resources
 * ({@code pxe-default}), the address for a module's ({@code module.kernel.build[bzImage]}).
 * References ({@code requires}, {@code notify}) hold such ids. {@code baseDir} is where relative
 * control-side paths of this resource are read (the module's directory for a module's resource);
 * null means the playbook's directory. {@code keepOnRemove} is {@code on_remove: keep}: once the
 * playbook drops the resource, what Mosaic created for it stays (the default deletes it).
 */
public record ResourceDecl(Address address, String id, Bound<?, ?> bound, SourcePos pos,
                           List<Ref> requires, List<Ref> notifies, String description, String configDigest,
                           Path baseDir, boolean keepOnRemove) {

    public ResourceDecl {
        requires = List.copyOf(requires);
        notifies = List.copyOf(notifies);
    }

    public ResourceDecl(Address address, String id, Bound<?, ?> bound, SourcePos pos,
                        List<Ref> requires, List<Ref> notifies, String description, String configDigest, Path baseDir) {
        this(address, id, bound, pos, requires, notifies, description, configDigest, baseDir, false);
    }

    public ResourceDecl(Address address, String id, Bound<?, ?> bound, SourcePos pos,
                        List<Ref> requires, List<Ref> notifies, String description, String configDigest) {
        this(address, id, bound, pos, requires, notifies, description, configDigest, null, false);
    }

    /** The resource's kind. */
    public ResourceType<?, ?> type() {
        return bound.type();
    }

    /** The parsed spec, for reading it; calls of the kind go through {@link #bound()}. */
    public Object spec() {
        return bound.spec();
    }
}
