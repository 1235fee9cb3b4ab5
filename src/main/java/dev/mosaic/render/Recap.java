package dev.mosaic.render;

import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Outcome;

/** The closing lines of an apply: counts, then every failure and skip with its reason. */
public final class Recap {

    private Recap() {
    }

    public static String render(Engine.ApplyResult result) {
        var counts = result.counts();
        long changed = counts.getOrDefault(Outcome.Status.CHANGED, 0L);
        long refreshed = counts.getOrDefault(Outcome.Status.REFRESHED, 0L);
        long ok = counts.getOrDefault(Outcome.Status.UNCHANGED, 0L);
        long failed = counts.getOrDefault(Outcome.Status.FAILED, 0L);
        long skipped = counts.getOrDefault(Outcome.Status.SKIPPED, 0L);
        long stale = counts.getOrDefault(Outcome.Status.STALE, 0L);
        StringBuilder b = new StringBuilder();
        b.append(failed > 0 ? "\nApply failed: " : stale > 0 ? "\nApply incomplete: " : "\nApply complete: ")
                .append(changed).append(" changed, ")
                .append(refreshed).append(" refreshed, ")
                .append(ok).append(" unchanged, ")
                .append(failed).append(" failed, ")
                .append(skipped).append(" skipped")
                .append(stale > 0 ? ", " + stale + " refused as stale" : "").append(".\n");
        if (stale > 0) {
            b.append("Refused (changed since the saved plan; make a new plan):\n");
            result.outcomes().stream().filter(o -> o.status() == Outcome.Status.STALE)
                    .forEach(o -> b.append("  ").append(o.address()).append(": ").append(o.message()).append('\n'));
        }
        if (failed > 0) {
            b.append("Failures:\n");
            result.outcomes().stream().filter(Outcome::failed)
                    .forEach(o -> b.append("  ").append(o.address()).append(": ").append(o.message()).append('\n'));
        }
        if (skipped > 0) {
            b.append("Skipped:\n");
            result.outcomes().stream().filter(o -> o.status() == Outcome.Status.SKIPPED)
                    .forEach(o -> b.append("  ").append(o.address()).append(": ").append(o.message()).append('\n'));
        }
        return b.toString();
    }
}
