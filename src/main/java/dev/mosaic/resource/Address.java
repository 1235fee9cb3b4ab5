package dev.mosaic.resource;

import java.util.Comparator;
import java.util.List;

/**
 * A resource's identity, printed the same everywhere (plans, logs, errors, JSON):
 * {@code file[pxe-default]}, or {@code module.kernel.build[bzImage]} inside a module.
 */
public record Address(List<String> modules, String type, String id) implements Comparable<Address> {

    private static final Comparator<Address> ORDER = Comparator.comparing(Address::toString);

    public Address {
        modules = List.copyOf(modules);
    }

    public static Address of(String type, String id) {
        return new Address(List.of(), type, id);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (String m : modules) {
            b.append("module.").append(m).append('.');
        }
        return b.append(type).append('[').append(id).append(']').toString();
    }

    @Override
    public int compareTo(Address o) {
        return ORDER.compare(this, o);
    }
}
