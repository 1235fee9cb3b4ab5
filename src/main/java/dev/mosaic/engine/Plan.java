package dev.mosaic.engine;

import dev.mosaic.resource.Action;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What would change, as data: every resource of the playbook in apply order with its planned
 * change. Rendering it (human text, JSON) is the CLI's business. {@code targets} is what
 * {@code --target} limited the plan to (empty: the whole playbook, removals included);
 * {@code kernels} the {@code ${kernel:…}} lookups that differ from {@code mosaic.lock}.
 */
public record Plan(String playbook, String target, List<PlannedChange> entries, List<String> targets,
                   List<KernelMove> kernels) {

    /**
     * A {@code ${kernel:METAPACKAGE}} whose release is not the one the lock file holds: the archive
     * moved the metapackage to another kernel since the last apply ({@code locked} null: none
     * recorded yet). The plan follows the archive; apply records {@code resolved}.
     */
    public record KernelMove(String metapackage, String locked, String resolved) {
    }

    public Plan {
        entries = List.copyOf(entries);
        targets = List.copyOf(targets);
        kernels = List.copyOf(kernels);
    }

    public Plan(String playbook, String target, List<PlannedChange> entries, List<String> targets) {
        this(playbook, target, entries, targets, List.of());
    }

    public Plan(String playbook, String target, List<PlannedChange> entries) {
        this(playbook, target, entries, List.of());
    }

    /** The entries by address, in the plan's order. */
    public Map<dev.mosaic.resource.Address, PlannedChange> byAddress() {
        Map<dev.mosaic.resource.Address, PlannedChange> m = new LinkedHashMap<>();
        entries.forEach(e -> m.put(e.address(), e));
        return m;
    }

    /** Whether only part of the playbook was planned ({@code --target}). */
    public boolean partial() {
        return !targets.isEmpty();
    }

    public List<PlannedChange> changes() {
        return entries.stream().filter(e -> e.isChange() || e.status() != PlannedChange.Status.PLANNED).toList();
    }

    public boolean hasChanges() {
        return entries.stream().anyMatch(e -> e.isChange() || e.status() == PlannedChange.Status.DEFERRED);
    }

    public boolean hasErrors() {
        return entries.stream().anyMatch(e -> e.status() == PlannedChange.Status.FAILED);
    }

    /** Counts per action word (create, update, …, no-op) plus deferred, failed and skipped. */
    public Map<String, Integer> summary() {
        Map<String, Integer> s = new LinkedHashMap<>();
        for (Action a : Action.values()) {
            s.put(a.word(), 0);
        }
        s.put("deferred", 0);
        s.put("failed", 0);
        s.put("skipped", 0);
        for (PlannedChange e : entries) {
            String key = switch (e.status()) {
                case PLANNED -> e.action().word();
                case DEFERRED -> "deferred";
                case FAILED -> "failed";
                case SKIPPED -> "skipped";
            };
            s.merge(key, 1, Integer::sum);
        }
        return s;
    }
}
