package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.Ref;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Capability;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Why a resource changes, the same in a plan and in an apply: new, drift or a changed config,
 * and the refreshes its notifiers owe it, in this run or from an interrupted one.
 */
final class Causes {

    private final StateStore state;

    Causes(StateStore state) {
        this.state = state;
    }

    /** A differing resource's cause, from what the state recorded when it last converged. */
    Cause of(ResourceDecl d, String inputs) {
        return state.get(d.address().toString())
                .map(e -> e.config().equals(d.configDigest()) && e.inputs().equals(inputs) ? Cause.DRIFT : Cause.CONFIG_CHANGED)
                .orElse(Cause.NEW);
    }

    /**
     * The notifiers of {@code d} that change in this run ({@code changed}), and those of a refresh
     * still owed by an earlier run that was interrupted between their change and the refresh (see
     * {@link StateStore#oweRefresh}); sorted.
     */
    List<Address> notifiers(ResourceGraph graph, ResourceDecl d, Predicate<Address> changed) {
        if (!d.type().has(Capability.REFRESHABLE)) {
            return List.of();
        }
        TreeSet<Address> out = new TreeSet<>();
        for (Address u : graph.dependencies(d.address())) {
            ResourceDecl ud = graph.decl(u);
            if (ud.notifies().stream().map(Ref::id).anyMatch(d.id()::equals) && changed.test(u)) {
                out.add(u);
            }
        }
        SortedSet<String> owed = state.refreshesOwed(d.address().toString());
        owed.forEach(o -> Address.parse(o).ifPresent(out::add));
        return List.copyOf(out);
    }

    /**
     * Before {@code d} changes: journals, durably, a refresh owed by each resource it notifies, so
     * that a run dying between this change and their refresh does not lose the refresh.
     */
    void oweRefreshes(ResourceGraph graph, ResourceDecl d) throws IOException {
        if (d.notifies().isEmpty()) {
            return;
        }
        // The whole graph: under --target a notified service outside the selection still owes its refresh.
        ResourceGraph whole = graph.whole();
        for (Address t : whole.dependents(d.address())) {
            ResourceDecl td = whole.decl(t);
            if (td.type().has(Capability.REFRESHABLE) && d.notifies().stream().map(Ref::id).anyMatch(td.id()::equals)) {
                state.oweRefresh(t.toString(), d.address().toString());
            }
        }
    }
}
