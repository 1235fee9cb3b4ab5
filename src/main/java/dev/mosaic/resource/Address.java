package dev.mosaic.resource;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A resource's identity, printed the same everywhere (plans, logs, errors, JSON):
 * {@code file[pxe-default]}, or {@code module.kernel.build[bzImage]} inside a module.
 *
 * <p>A value like a record, but a class: addresses are the keys of every map of the graph and
 * the walk, so the hash code and the printed form are computed once (a record cannot keep them).
 * Immutable.
 */
public final class Address implements Comparable<Address> {

    private static final Comparator<Address> ORDER = Comparator.comparing(Address::toString);

    private final List<String> modules;
    private final String type;
    private final String id;
    private final int hash;
    private String text; // computed on first use; a benign race, the value is always the same

    public Address(List<String> modules, String type, String id) {
        this.modules = List.copyOf(modules);
        this.type = type;
        this.id = id;
        this.hash = (31 * this.modules.hashCode() + Objects.hashCode(type)) * 31 + Objects.hashCode(id);
    }

    public static Address of(String type, String id) {
        return new Address(List.of(), type, id);
    }

    /** The aliases of the modules the resource is declared in, outermost first; empty for the playbook's own. */
    public List<String> modules() {
        return modules;
    }

    public String type() {
        return type;
    }

    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Address a && hash == a.hash && Objects.equals(id, a.id)
                && Objects.equals(type, a.type) && modules.equals(a.modules);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            StringBuilder b = new StringBuilder();
            for (String m : modules) {
                b.append("module.").append(m).append('.');
            }
            t = b.append(type).append('[').append(id).append(']').toString();
            text = t;
        }
        return t;
    }

    @Override
    public int compareTo(Address o) {
        return ORDER.compare(this, o);
    }
}
