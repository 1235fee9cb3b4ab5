package dev.mosaic.render;

import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Address;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a graph drawn with {@code --plan} marks a resource: the plan's symbol (the one {@link TextPlan}
 * prints), a legend word, and the colors of its node. Unchanged and skipped resources have no mark.
 */
enum GraphMark {
    CREATE("+", "create", "#c8e6c9", "#2e7d32"),
    UPDATE("~", "update", "#fff59d", "#f9a825"),
    REPLACE("-/+", "replace", "#ffcc80", "#e65100"),
    DELETE("-", "delete", "#ef9a9a", "#b71c1c"),
    REFRESH("*", "refresh", "#b3e5fc", "#0277bd"),
    DEFERRED("?", "known after apply", "#e0e0e0", "#616161"),
    FAILED("!", "cannot be planned", "#f48fb1", "#880e4f");

    private final String symbol;
    private final String word;
    private final String fill;
    private final String stroke;

    GraphMark(String symbol, String word, String fill, String stroke) {
        this.symbol = symbol;
        this.word = word;
        this.fill = fill;
        this.stroke = stroke;
    }

    String symbol() {
        return symbol;
    }

    String word() {
        return word;
    }

    String fill() {
        return fill;
    }

    String stroke() {
        return stroke;
    }

    /** The four actions a legend always shows; the others only when the plan has them. */
    boolean alwaysInLegend() {
        return ordinal() <= DELETE.ordinal();
    }

    /** The mark of every entry of the plan that does something (or could not be planned), in plan order. */
    static Map<Address, GraphMark> of(Plan plan) {
        Map<Address, GraphMark> marks = new LinkedHashMap<>();
        for (PlannedChange c : plan.entries()) {
            GraphMark m = switch (c.status()) {
                case DEFERRED -> DEFERRED;
                case FAILED -> FAILED;
                case SKIPPED -> null;
                case PLANNED -> switch (c.action()) {
                    case CREATE -> CREATE;
                    case UPDATE -> UPDATE;
                    case REPLACE -> REPLACE;
                    case DELETE -> DELETE;
                    case REFRESH -> REFRESH;
                    case NOOP -> null;
                };
            };
            if (m != null) {
                marks.put(c.address(), m);
            }
        }
        return marks;
    }
}
