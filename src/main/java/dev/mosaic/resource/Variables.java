package dev.mosaic.resource;

import dev.mosaic.yaml.YNode;

import java.util.Set;

/**
 * The variables a resource's scope sees — the playbook's (with the inventory's and {@code --var}),
 * or a module call's params — for kinds that hand them to something else than the playbook's own
 * {@code ${…}} interpolation (a template engine). Values are resolved on first use, so a variable
 * nobody uses is never evaluated (nor reported).
 */
public interface Variables {

    Variables NONE = new Variables() {
        @Override
        public Set<String> names() {
            return Set.of();
        }

        @Override
        public YNode value(String name) {
            return null;
        }

        @Override
        public boolean isSensitive(YNode value) {
            return false;
        }
    };

    /** Every variable name of the scope. */
    Set<String> names();

    /** The resolved value of one of {@link #names()}; null when it has a problem (reported where it is). */
    YNode value(String name);

    /** Whether the value, or anything in it, was built from a sensitive one (see ARCHITECTURE.md, Secrets). */
    boolean isSensitive(YNode value);
}
