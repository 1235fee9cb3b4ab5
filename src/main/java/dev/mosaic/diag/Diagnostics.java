package dev.mosaic.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A collector of {@link Diagnostic}s. Not thread-safe: each loading phase owns one. */
public final class Diagnostics {

    private final List<Diagnostic> items = new ArrayList<>();

    public void error(SourcePos pos, String message) {
        items.add(Diagnostic.error(pos, message));
    }

    public void warning(SourcePos pos, String message) {
        items.add(Diagnostic.warning(pos, message));
    }

    public void addAll(List<Diagnostic> more) {
        items.addAll(more);
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(Diagnostic::isError);
    }

    /** Sorted by file, line and column, so reports are stable whatever order checks ran in. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> copy = new ArrayList<>(new java.util.LinkedHashSet<>(items));
        copy.sort(Comparator.comparing((Diagnostic d) -> d.pos().file())
                .thenComparingInt(d -> d.pos().line())
                .thenComparingInt(d -> d.pos().column())
                .thenComparing(Diagnostic::message));
        return List.copyOf(copy);
    }

    /** Throws a {@link UserError} carrying every diagnostic when any of them is an error. */
    public void throwIfErrors() {
        if (hasErrors()) {
            throw new UserError(sorted());
        }
    }
}
