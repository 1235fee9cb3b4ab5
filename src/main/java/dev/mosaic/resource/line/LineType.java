package dev.mosaic.resource.line;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One line in a file someone else owns (Puppet's {@code file_line}, Ansible's {@code lineinfile}):
 * present — left alone when the file has it, else written over the first line {@code match}
 * finds, else appended — or absent (every line equal to it, or found by {@code match}, removed).
 * The rest of the file is kept byte for byte.
 */
public final class LineType implements ResourceType<LineSpec, LineType.Observed> {

    /** What is at the path and, for a regular file, its content. */
    public record Observed(FileStat stat, byte[] content) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Observed other && stat.equals(other.stat) && java.util.Arrays.equals(content, other.content);
        }

        @Override
        public int hashCode() {
            return 31 * stat.hashCode() + java.util.Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "Observed[stat=" + stat + ", bytes=" + (content == null ? "none" : content.length) + "]";
        }
    }

    @Override
    public String kind() {
        return "line";
    }

    @Override
    public String summary() {
        return "one line of a file, present (replacing the line a regex finds, else appended) or absent";
    }

    /** Only writes through the host; what lies around the file is other resources' business. */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public LineSpec parse(SpecReader r) {
        String path = r.absolutePath("path");
        boolean present = r.word("ensure").equals("present");
        String line = r.optLine("line").orElse(null);
        Optional<String> match = r.optString("match");
        Optional<Pattern> pattern = Optional.empty();
        if (match.isPresent()) {
            try {
                pattern = Optional.of(Pattern.compile(match.get()));
            } catch (PatternSyntaxException e) {
                r.error("match", "not a regular expression (Java syntax): " + e.getDescription()
                        + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : ""));
            }
        }
        if (line == null && !r.failed() && (present || !r.has("match"))) {
            r.error(r.has("line") ? "line" : "path", present ? "a present line needs 'line'"
                    : "an absent line needs 'line' or 'match'");
        }
        if (line != null && pattern.isPresent() && !pattern.get().matcher(line).find()) {
            // Else the line written would not be found by the next run, which would write it again.
            r.error("match", "'" + match.get() + "' must match the line itself ('" + line + "'), so that"
                    + " the line written is the one found next time");
        }
        return r.failed() ? null : new LineSpec(path, line, match, present);
    }

    @Override
    public Paths paths(LineSpec spec) {
        // Edited in place: whoever produces the file (a file or template resource) comes first.
        return new Paths(Set.of(), Set.of(), Set.of(spec.path()));
    }

    @Override
    public Observed observe(LineSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        FileStat stat = host.stat(TargetPath.of(spec.path()));
        if (!stat.exists()) {
            return new Observed(stat, null);
        }
        if (!stat.isFile()) {
            throw new ResourceException(spec.path() + " is a " + stat.kindWord() + "; a line resource edits regular files only");
        }
        if (stat.size() > LineSpec.MAX_FILE_BYTES) {
            throw new ResourceException(spec.path() + " holds " + stat.size() + " bytes; a line resource edits files of at most "
                    + LineSpec.MAX_FILE_BYTES);
        }
        byte[] content = host.read(TargetPath.of(spec.path()));
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(content));
        } catch (java.nio.charset.CharacterCodingException e) {
            // Edited as text, its other bytes could not be written back as they were.
            throw new ResourceException(spec.path() + " is not UTF-8 text; a line resource edits text files only,"
                    + " keeping every other line byte for byte");
        }
        return new Observed(stat, content);
    }

    @Override
    public Change diff(LineSpec spec, Observed o) {
        if (o.content() == null) {
            return spec.present()
                    ? new Change(Action.CREATE, List.of(new Diff.Content("content", null, Diff.Blob.of(bytes(spec.line() + "\n")))))
                    : Change.NOOP;
        }
        String before = new String(o.content(), StandardCharsets.UTF_8);
        String after = edited(spec, before);
        if (after.equals(before)) {
            return Change.NOOP;
        }
        return new Change(Action.UPDATE, List.of(new Diff.Content("content", Diff.Blob.of(o.content()), Diff.Blob.of(bytes(after)))));
    }

    /**
     * The file's text with the spec applied; the same text when nothing is to change. Lines are
     * compared without their end: a file written on Windows keeps its CRLF ends, and a line
     * added or replaced gets the end its file's first line has.
     */
    static String edited(LineSpec spec, String text) {
        Optional<Pattern> match = spec.pattern();
        List<String> lines = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        int from = 0;
        for (int nl; (nl = text.indexOf('\n', from)) >= 0; from = nl + 1) {
            boolean crlf = nl > from && text.charAt(nl - 1) == '\r';
            lines.add(text.substring(from, crlf ? nl - 1 : nl));
            ends.add(crlf ? "\r\n" : "\n");
        }
        if (from < text.length()) { // a last line without an end
            lines.add(text.substring(from));
            ends.add("");
        }
        String end = ends.isEmpty() || ends.get(0).isEmpty() ? "\n" : ends.get(0);
        if (spec.present()) {
            if (lines.contains(spec.line())) {
                return text;
            }
            int found = match.map(m -> indexOfMatch(lines, m)).orElse(-1);
            if (found >= 0) {
                lines.set(found, spec.line());
            } else {
                if (!ends.isEmpty() && ends.get(ends.size() - 1).isEmpty()) {
                    ends.set(ends.size() - 1, end); // the file lacked a final newline
                }
                lines.add(spec.line());
                ends.add(end);
            }
        } else {
            boolean removed = false;
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i);
                if (l.equals(spec.line()) || match.map(m -> m.matcher(l).find()).orElse(false)) {
                    lines.remove(i);
                    ends.remove(i);
                    removed = true;
                }
            }
            if (!removed) {
                return text;
            }
        }
        StringBuilder out = new StringBuilder(text.length() + 80);
        for (int i = 0; i < lines.size(); i++) {
            out.append(lines.get(i)).append(ends.get(i));
        }
        return out.toString();
    }

    private static int indexOfMatch(List<String> lines, Pattern match) {
        for (int i = 0; i < lines.size(); i++) {
            if (match.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void apply(LineSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        // The engine observed just before calling apply; the file is read once more here so that the
        // text written is the one edited, whatever the change carried.
        Host host = ctx.host();
        Observed now = observe(spec, ctx);
        if (now.content() == null) {
            host.writeAtomic(TargetPath.of(spec.path()), new ByteArrayInputStream(bytes(spec.line() + "\n")), LineSpec.NEW_FILE_MODE);
            return;
        }
        String before = new String(now.content(), StandardCharsets.UTF_8);
        FileStat stat = now.stat();
        host.writeAtomic(TargetPath.of(spec.path()), new ByteArrayInputStream(bytes(edited(spec, before))), stat.mode());
        // The rewritten file belongs to whoever runs Mosaic: give it back the owner it had.
        FileStat written = host.stat(TargetPath.of(spec.path()));
        if (written.uid() != stat.uid() || written.gid() != stat.gid()) {
            host.chown(TargetPath.of(spec.path()), stat.uid(), stat.gid());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
