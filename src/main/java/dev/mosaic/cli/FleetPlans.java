package dev.mosaic.cli;

import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.SavedPlan;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.InventoryLoader;
import dev.mosaic.session.Session;
import dev.mosaic.session.Transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan saved for an inventory: a directory with one ordinary plan file per host,
 * {@code DIR/<host>.mosaic}. A directory rather than one file because each host's part is checked
 * with that host's own plan key, kept in its own state directory: per-host files keep one file
 * format and one way of checking it, and a host's part can be read, or removed, on its own.
 * Applying the directory checks each host's file against that host only: a host whose file is
 * missing, damaged or made for another playbook fails alone, and a resource that drifted since
 * the plan is refused on its host (exit 3) while the rest is applied.
 */
final class FleetPlans {

    static final String SUFFIX = ".mosaic";

    private FleetPlans() {
    }

    /** The {@code --out} of a fleet plan: a directory, made if it is not there. */
    static void prepareOut(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserError("--out " + dir + " with --inventory names a directory (one plan file per host), but it is"
                    + " a file; name a new or existing directory");
        }
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UserError("--out " + dir + ": directory " + parent + " does not exist");
        }
        Files.createDirectories(dir);
    }

    /** Where a host's plan is kept, and what it is for: the host's root and state directory. */
    private static SavedPlan.Target target(InventoryHost h, String name, CommonOptions o) {
        String root = h.root() == null ? "/" : h.connection() == InventoryHost.Connection.LOCAL
                ? h.root().toAbsolutePath().normalize().toString() : h.root().toString();
        return new SavedPlan.Target(name, SavedPlans.machine(), root, Transport.stateDir(h, o.stateDir).toString());
    }

    /**
     * Saves one host's plan, checksummed with the host's plan key; a plan with errors is not
     * saved, and an older file of that host is removed, so that applying the directory fails
     * that host rather than apply what an earlier plan said.
     */
    static void save(Path dir, InventoryHost h, Session t, Plan plan, Path playbookFile, CommonOptions o)
            throws IOException {
        Path file = dir.resolve(h.name() + SUFFIX);
        if (plan.hasErrors()) {
            Files.deleteIfExists(file);
            return;
        }
        SavedPlans.of(plan, t, playbookFile, o, target(h, t.name(), o))
                .write(file, SavedPlan.key(Transport.stateDir(h, o.stateDir), true));
    }

    /** A fleet plan read for the selected hosts: the playbook it was made from, and each host's part. */
    record Loaded(Path playbook, FleetApply.SavedFor savedFor) {
    }

    /**
     * Reads the selected hosts' files, each checked with its host's key. What does not go with the
     * plan as a whole (another Mosaic, --var, --modules) refuses everything before anything is
     * touched; a host's own problem is kept and fails that host when its turn comes.
     */
    static Loaded read(Path dir, CommonOptions o, InventoryOptions inv) throws IOException {
        PathChecks.inputFile("--inventory", inv.inventory);
        Map<String, SavedPlan> plans = new LinkedHashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (InventoryHost h : new InventoryLoader().load(inv.inventory).select(inv.limit)) {
            Path file = dir.resolve(h.name() + SUFFIX);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                refused.put(h.name(), "plan directory " + dir + " has no plan for host " + h.name() + " (" + file.getFileName()
                        + "): it was not planned, or its plan had errors");
                continue;
            }
            try {
                plans.put(h.name(), SavedPlan.read(file, SavedPlan.key(Transport.stateDir(h, o.stateDir), false)));
            } catch (UserError e) {
                refused.put(h.name(), e.getMessage());
            }
        }
        if (plans.isEmpty()) {
            throw new UserError("plan directory " + dir + " holds no plan for the selected hosts and nothing was touched"
                    + (refused.isEmpty() ? "" : ": " + String.join("; ", refused.values())));
        }
        SavedPlan first = plans.values().iterator().next();
        for (SavedPlan p : plans.values()) {
            if (!p.playbook().file().equals(first.playbook().file()) || !p.playbook().vars().equals(first.playbook().vars())
                    || !p.playbook().moduleDirs().equals(first.playbook().moduleDirs())) {
                throw new UserError("plan directory " + dir + " mixes plans of different playbooks or variables and nothing"
                        + " was touched; make the plan again with 'mosaic plan PLAYBOOK --inventory FILE --out " + dir + "'");
            }
        }
        SavedPlans.refuseIf(dir, SavedPlans.optionProblems(first, o));
        o.vars.putAll(first.playbook().vars());
        first.playbook().moduleDirs().forEach(d -> o.moduleDirs.add(Path.of(d)));
        return new Loaded(Path.of(first.playbook().file()), (host, session) -> {
            if (refused.containsKey(host.name())) {
                throw new UserError(refused.get(host.name()));
            }
            SavedPlan plan = plans.get(host.name());
            SavedPlan.Target here = target(host, session.name(), o);
            List<String> why = new ArrayList<>();
            if (!here.root().equals(plan.target().root())) {
                why.add("it was made for root " + plan.target().root() + ", the inventory now gives " + here.root());
            }
            if (!here.stateDir().equals(plan.target().stateDir())) {
                why.add("it was made with state directory " + plan.target().stateDir() + ", this run's is " + here.stateDir());
            }
            if (!here.host().equals(plan.target().host())) {
                why.add("it was made on machine " + plan.target().host() + ", this is " + here.host());
            }
            why.addAll(SavedPlans.afterLoadingProblems(plan, session));
            SavedPlans.refuseIf(dir.resolve(host.name() + SUFFIX), why);
            return plan.plan();
        });
    }
}
