package dev.mosaic.diag;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A problem with what the user asked for (playbook, variables, target), as opposed to a bug. The CLI
 * prints its diagnostics and exits 1, never a stack trace.
 */
public final class UserError extends RuntimeException {

    private final List<Diagnostic> diagnostics;

    public UserError(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().map(Diagnostic::render).collect(Collectors.joining("\n")));
        this.diagnostics = List.copyOf(diagnostics);
    }

    public UserError(SourcePos pos, String message) {
        this(List.of(Diagnostic.error(pos, message)));
    }

    /** An error with no source position, e.g. about the target or a command-line option. */
    public UserError(String message) {
        this(SourcePos.NONE, message);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
