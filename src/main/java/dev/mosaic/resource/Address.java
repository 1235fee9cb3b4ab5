package dev.mosaic.resource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern PRINTED = Pattern.compile("((?:module\\.[^.\\[\\]]+\\.)*)([A-Za-z0-9_]+)\\[(.+)\\]");

    private static final Pattern MODULE = Pattern.compile("module\\.([^.\\[\\]]+)\\.");

    /** The printed form ({@code module.a.file[x]}) back into an address; empty when it is not one. */
    public static Optional<Address> parse(String text) {
        Matcher m = PRINTED.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> modules = new ArrayList<>();
        Matcher alias = MODULE.matcher(m.group(1));
        while (alias.find()) {
            modules.add(alias.group(1));
        }
        return Optional.of(new Address(modules, m.group(2), m.group(3)));
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
