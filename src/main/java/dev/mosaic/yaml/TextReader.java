package dev.mosaic.yaml;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.scanner.Constant;

import java.io.StringReader;

/**
 * SnakeYAML's reader over a whole text already in memory, in linear time. SnakeYAML's own
 * {@link StreamReader} reads 1,024 characters at a time and copies everything not yet consumed
 * at each read, so a scalar of n characters (which its scanner looks ahead over before consuming
 * any) costs n²/1,024 copies: 24 s for 8 M characters. Here the code points are decoded once
 * and looking ahead is an array index. Non-printable characters are refused up front, where
 * SnakeYAML would refuse them on reaching them, with the same exception.
 *
 * <p>Same contract as {@link StreamReader} for every method the scanner calls: {@code peek}
 * past the end is 0, {@code forward} stops at the end, line and column move on line breaks
 * ({@code \r\n} counting once), a BOM takes no column. Not thread-safe.
 */
final class TextReader extends StreamReader {

    private final String name;
    private final int[] codePoints;
    private int pointer;
    private int index;
    private int documentIndex;
    private int line;
    private int column;

    TextReader(String name, String text) {
        super(new StringReader(""));
        this.name = name;
        this.codePoints = text.codePoints().toArray();
    }

    /** The position of the first code point YAML does not allow in a stream, or -1. */
    int firstNonPrintable() {
        for (int i = 0; i < codePoints.length; i++) {
            if (!isPrintable(codePoints[i])) {
                return i;
            }
        }
        return -1;
    }

    int codePointAt(int i) {
        return codePoints[i];
    }

    @Override
    public Mark getMark() {
        return new Mark(name, index, line, column, codePoints, pointer);
    }

    @Override
    public void forward() {
        forward(1);
    }

    @Override
    public void forward(int length) {
        for (int i = 0; i < length && pointer < codePoints.length; i++) {
            int c = codePoints[pointer++];
            index++;
            documentIndex++;
            if (Constant.LINEBR.has(c)
                    || (c == '\r' && pointer < codePoints.length && codePoints[pointer] != '\n')) {
                line++;
                column = 0;
            } else if (c != 0xFEFF) {
                column++;
            }
        }
    }

    @Override
    public int peek() {
        return peek(0);
    }

    @Override
    public int peek(int offset) {
        int at = pointer + offset;
        return at < codePoints.length ? codePoints[at] : 0;
    }

    @Override
    public String prefix(int length) {
        if (length == 0) {
            return "";
        }
        return new String(codePoints, pointer, Math.min(length, codePoints.length - pointer));
    }

    @Override
    public String prefixForward(int length) {
        String prefix = prefix(length);
        pointer += length;
        index += length;
        documentIndex += length;
        column += length;
        return prefix;
    }

    @Override
    public int getColumn() {
        return column;
    }

    @Override
    public int getDocumentIndex() {
        return documentIndex;
    }

    @Override
    public void resetDocumentIndex() {
        documentIndex = 0;
    }

    @Override
    public int getIndex() {
        return index;
    }

    @Override
    public int getLine() {
        return line;
    }
}
