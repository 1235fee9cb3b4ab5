package dev.mosaic.diag;

/**
 * A position in a source file, 1-based, as editors and compilers print it: {@code file:line:col}.
 * {@link #NONE} stands for "no position" (command-line input, generated resources).
 */
public record SourcePos(String file, int line, int column) {

    public static final SourcePos NONE = new SourcePos("", 0, 0);

    public boolean isKnown() {
        return line > 0;
    }

    /** The same file and line, {@code delta} columns further (used to point inside a scalar). */
    public SourcePos shift(int delta) {
        return isKnown() ? new SourcePos(file, line, column + delta) : this;
    }

    @Override
    public String toString() {
        if (!isKnown()) {
            return file.isEmpty() ? "<input>" : file;
        }
        return file + ":" + line + ":" + column;
    }

    /** {@code file:line}, as printed in cycle reports where the column adds nothing. */
    public String fileAndLine() {
        return isKnown() ? file + ":" + line : toString();
    }
}
