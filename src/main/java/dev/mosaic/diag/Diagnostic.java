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

    /**
     * {@code file:line:col: error: message}, the form compilers use and editors link. Control
     * characters a message quotes from the input (a terminal escape, a carriage return, a bidi
     * override) are shown escaped, never interpreted by the terminal; newlines are kept, as
     * some reports (a cycle) are several lines.
     */
    public String render() {
        return pos + ": " + severity.name().toLowerCase() + ": " + escapeControls(message);
    }

    /**
     * The text with characters that would not print as themselves escaped (newlines kept):
     * carriage return and tab as backslash-r and -t, the others as a backslash, 'u' and four hex digits.
     */
    public static String escapeControls(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (Character.isISOControl(c) && c != '\n') || c == '\u2028' || c == '\u2029'
                    || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
            if (control && b == null) {
                b = new StringBuilder(s.substring(0, i));
            }
            if (b != null) {
                if (!control) {
                    b.append(c);
                } else if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\r') {
                    b.append("\\r");
                } else if (c == '\t') {
                    b.append("\\t");
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
