package dev.mosaic.cli;

import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.SavedPlan;
import dev.mosaic.session.Session;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Saved plans on the command line: what {@code plan --out} writes, and the checks {@code apply
 * PLAN} makes before it touches anything (same Mosaic, same target, same playbook and inputs). With
 * {@code --inventory}, a plan is a directory of these files, one per host ({@link FleetPlans}).
 */
final class SavedPlans {

    private SavedPlans() {
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String machine() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static Path root(CommonOptions o) {
        return Session.root(o.root);
    }

    static Path stateDir(CommonOptions o) {
        return Session.stateDir(o.root, o.stateDir);
    }

    static SavedPlan.Target target(CommonOptions o, String name) {
        return new SavedPlan.Target(name, machine(), root(o).toString(), stateDir(o).toString());
    }

    /** The plan as a file's content: the changes with what was seen, and everything they depend on. */
    static SavedPlan of(Plan plan, Session t, Path playbookFile, CommonOptions o) throws IOException {
        return of(plan, t, playbookFile, o, target(o, t.name()));
    }

    /** @param target the root and state directory the plan is for (an inventory host's, with {@code --inventory}) */
    static SavedPlan of(Plan plan, Session t, Path playbookFile, CommonOptions o, SavedPlan.Target target)
            throws IOException {
        Engine engine = t.planner(); // it knows the control-side files the plan read
        // A sensitive --var is not written to the file: apply asks for it again.
        Map<String, String> vars = new java.util.TreeMap<>(o.vars);
        List<String> sensitive = o.vars.keySet().stream()
                .filter(t.playbook().sensitiveVars()::contains).sorted().toList();
        sensitive.forEach(vars::remove);
        SavedPlan.Source source = new SavedPlan.Source(playbookFile.toAbsolutePath().normalize().toString(),
                t.playbook().name(), engine.definitionDigest(t.playbook()), vars,
                o.moduleDirs.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList(),
                engine.controlInputs(), sensitive);
        return new SavedPlan(version(), Instant.now().toString(), source, target, SavedPlan.entriesOf(plan));
    }

    /**
     * Refuses, in one paragraph, a plan made by another Mosaic or for another target, or one
     * given with options that would change what it means. Nothing has been touched yet.
     */
    /**
     * Reads a plan file and checks it with this target's plan key, then against this Mosaic and
     * this target. Where the target has no key, the plan was made for another target (or is given
     * with --inventory): that is said, rather than "no key".
     */
    static SavedPlan read(Path file, CommonOptions o, InventoryOptions inventory) throws IOException {
        Path stateDir = stateDir(o);
        SavedPlan plan = SavedPlan.read(file, unverified -> {
            if (inventory.active() || !java.nio.file.Files.exists(stateDir.resolve(SavedPlan.KEY_FILE),
                    java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                checkBeforeLoading(file, unverified, o, inventory);
            }
            return SavedPlan.key(stateDir, false);
        });
        checkBeforeLoading(file, plan, o, inventory);
        return plan;
    }

    static void checkBeforeLoading(Path file, SavedPlan plan, CommonOptions o, InventoryOptions inventory) {
        if (inventory.active()) {
            throw new UserError("a saved plan is for one target: --inventory does not go with a plan file; "
                    + "with --inventory, save and apply a plan directory (one file per host): mosaic plan PLAYBOOK"
                    + " --inventory FILE --out DIR, then mosaic apply DIR --inventory FILE");
        }
        List<String> why = optionProblems(plan, o);
        SavedPlan.Target here = target(o, plan.target().name());
        if (!here.root().equals(plan.target().root())) {
            why.add("it was made for root " + plan.target().root() + ", this run's root is " + here.root()
                    + (o.root == null ? " (pass --root " + plan.target().root() + ")" : ""));
        }
        if (!here.stateDir().equals(plan.target().stateDir())) {
            why.add("it was made with state directory " + plan.target().stateDir() + ", this run's is " + here.stateDir());
        }
        if (!here.host().equals(plan.target().host())) {
            why.add("it was made on machine " + plan.target().host() + ", this is " + here.host());
        }
        refuseIf(file, why);
    }

    /** What in this run's options (variables, modules) or Mosaic's version does not go with the plan. */
    static List<String> optionProblems(SavedPlan plan, CommonOptions o) {
        List<String> why = new ArrayList<>();
        List<String> sensitive = plan.playbook().sensitiveVars();
        List<String> extra = o.vars.keySet().stream().filter(v -> !sensitive.contains(v)).sorted().toList();
        if (!extra.isEmpty()) {
            why.add("--var is not allowed with a plan file (" + String.join(", ", extra) + "): the plan carries the"
                    + " variables it was made with" + (plan.playbook().vars().isEmpty() ? " (none)" : " ("
                    + plan.playbook().vars() + ")") + (sensitive.isEmpty() ? "" : "; only its sensitive ones, which"
                    + " it does not store, are given again: " + String.join(", ", sensitive)));
        } else {
            List<String> missing = sensitive.stream().filter(v -> !o.vars.containsKey(v)).toList();
            if (!missing.isEmpty()) {
                why.add("it was made with the sensitive variable(s) " + String.join(", ", missing) + " given by --var,"
                        + " whose values plan files never store: give them again, e.g. --var " + missing.get(0) + "=…");
            }
        }
        if (!o.moduleDirs.isEmpty()) {
            why.add("--modules is not allowed with a plan file: the plan carries its module directories");
        }
        if (!plan.mosaicVersion().equals(version())) {
            why.add("it was made by Mosaic " + plan.mosaicVersion() + ", this is Mosaic " + version());
        }
        return why;
    }

    /** Refuses a plan whose playbook, modules or control-side inputs changed since it was made. */
    static void checkAfterLoading(Path file, SavedPlan plan, Session t) throws IOException {
        refuseIf(file, afterLoadingProblems(plan, t));
    }

    /** What changed since the plan in the playbook, its modules or its control-side inputs. */
    static List<String> afterLoadingProblems(SavedPlan plan, Session t) throws IOException {
        Engine engine = t.engine(dev.mosaic.engine.Events.NONE);
        List<String> why = new ArrayList<>();
        if (!engine.definitionDigest(t.playbook()).equals(plan.playbook().digest())) {
            why.add("the playbook " + plan.playbook().file() + " changed since the plan (its text, a module it uses, "
                    + "or a value its resources resolve to" + (plan.playbook().sensitiveVars().isEmpty() ? ""
                    : ", such as a sensitive variable given again with another value") + ")");
        }
        List<String> moved = engine.movedControlInputs(plan.playbook().inputs());
        if (!moved.isEmpty()) {
            why.add("inputs of the playbook changed since the plan: " + String.join(", ", moved));
        }
        return why;
    }

    static void refuseIf(Path file, List<String> why) {
        if (!why.isEmpty()) {
            throw new UserError("saved plan " + file + " was not applied and nothing was touched: "
                    + String.join("; ", why) + ". Make a new plan with 'mosaic plan PLAYBOOK --out " + file
                    + "' and apply that one.");
        }
    }

}
