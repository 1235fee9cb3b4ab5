package dev.mosaic.diag;

/**
 * One problem found in user input, with where it is. Collected by {@link Diagnostics}, never thrown
 * one by one, so a user sees every problem of a playbook at once.
 */
public record Diagnostic(Severity severity, SourcePos pos, String message) {

    public enum Severity { ERROR, WARNING }

    public static Diagnostic error(SourcePos pos, String message) {
        return new Diagnostic(Severity.ERROR, pos, message);
    }

    public static Diagnostic warning(SourcePos pos, String message) {
        return new Diagnostic(Severity.WARNING, pos, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code file:line:col: error: message}, the form compilers use and editors link. */
    public String render() {
        return pos + ": " + severity.name().toLowerCase() + ": " + message;
    }
}
