package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.ResourceType;

import java.util.List;

/**
 * A resource as the playbook declares it: its address, kind and parsed spec, the engine fields
 * ({@code requires}, {@code notify}, {@code description}) and where it was written.
 * {@code configDigest} identifies the resolved configuration (without engine fields), so that a
 * later run can tell a config change from drift.
 */
public record ResourceDecl(Address address, String id, ResourceType<?, ?> type, Object spec, SourcePos pos,
                           List<Ref> requires, List<Ref> notifies, String description, String configDigest) {

    public ResourceDecl {
        requires = List.copyOf(requires);
        notifies = List.copyOf(notifies);
    }
}
