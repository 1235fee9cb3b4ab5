package dev.mosaic.resource.template;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.file.FileObserved;
import dev.mosaic.resource.file.FileSpec;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.yaml.YNode;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A regular file whose content a template renders from the playbook's variables. Rendering is
 * done by {@link #parse}, at load time, so an undefined variable or a syntax error stops the plan
 * before anything is touched; observing, diffing and writing are the {@code file} kind's.
 */
public final class TemplateType implements ResourceType<TemplateSpec, FileObserved> {

    private final FileType files = new FileType();

    @Override
    public String kind() {
        return "template";
    }

    @Override
    public String summary() {
        return "a regular file rendered from a template (Jinja syntax) over the playbook's variables";
    }

    @Override
    public boolean changesOnlyThroughHost() {
        return true;
    }

    @Override
    public TemplateSpec parse(SpecReader r) {
        String path = r.absolutePath("path");
        Optional<String> inline = r.optString("template");
        Optional<String> source = r.optString("source");
        if (inline.isPresent() == source.isPresent()) {
            r.error(source.isPresent() ? "source" : "path", inline.isPresent()
                    ? "give either 'template' or 'source', not both" : "give the template: 'source' (a file) or 'template' (inline)");
        }
        if (source.isPresent() && source.get().startsWith("/")) {
            r.error("source", "a template is read on the machine running Mosaic: give its path relative to the playbook"
                    + " (or the module), not an absolute path");
        }
        Map<String, YNode> extra = new LinkedHashMap<>();
        if (r.raw("vars") instanceof YNode.Map vars) {
            vars.entries().values().forEach(e -> extra.put(e.key(), e.value()));
        }
        Optional<Integer> mode = r.mode("mode");
        Optional<String> owner = r.optString("owner");
        Optional<String> group = r.optString("group");
        if (r.failed()) {
            return null;
        }
        String field = source.isPresent() ? "source" : "template";
        SourcePos callSite = r.pos(field);
        Renderer.Template template = source.isPresent() ? read(r, source.get(), callSite) : inline(r, inline.get(), callSite);
        if (template == null) {
            return null;
        }
        Renderer.Result result;
        try {
            result = Renderer.render(template, r.variables(), extra);
        } catch (Renderer.Failure f) {
            SourcePos at = inline.isPresent() && f.template.equals(template.name())
                    ? inlinePos(callSite, inline.get(), f.line, f.column)
                    : new SourcePos(f.template, Math.max(f.line, 1), f.column);
            r.errorAt(at, f.getMessage() + " (in the template " + (inline.isPresent() ? "" : template.name() + " ")
                    + "of field '" + field + "' at " + callSite + ")");
            return null;
        }
        if (result.sensitive()) {
            r.markSensitive();
        }
        FileSpec file = new FileSpec(path, true, Optional.of(result.text().getBytes(StandardCharsets.UTF_8)),
                Optional.empty(), mode, owner, group);
        return new TemplateSpec(file, template.name());
    }

    /** A template file, next to the playbook (or module); shown relative to the playbook as written. */
    private static Renderer.Template read(SpecReader r, String source, SourcePos callSite) {
        Path file = r.baseDir().resolve(source).normalize();
        Path shown = callSite.file().isEmpty() ? Path.of(source) : Path.of(callSite.file()).resolveSibling(source).normalize();
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return new Renderer.Template(shown.toString(), text, file.getParent(), shown.getParent());
        } catch (NoSuchFileException e) {
            r.error("source", "no such template file " + shown);
        } catch (CharacterCodingException e) {
            r.error("source", "the template " + shown + " is not UTF-8 text");
        } catch (IOException e) {
            r.error("source", "cannot read the template " + shown + ": " + e.getMessage());
        }
        return null;
    }

    private static Renderer.Template inline(SpecReader r, String text, SourcePos callSite) {
        Path shownDir = callSite.file().isEmpty() ? null : Path.of(callSite.file()).getParent();
        return new Renderer.Template("template of '" + r.id() + "'", text, r.baseDir(), shownDir);
    }

    /**
     * Where line {@code line}, column {@code column} of an inline template is in the playbook: a
     * block scalar ({@code template: |}) starts on the next line, at the block's indentation;
     * a one-line value where it is written. Falls back to the value's position.
     */
    static SourcePos inlinePos(SourcePos value, String text, int line, int column) {
        List<String> yaml;
        try {
            yaml = Files.readAllLines(Path.of(value.file()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return value;
        }
        if (!value.isKnown() || value.line() > yaml.size()) {
            return value;
        }
        String at = yaml.get(value.line() - 1);
        String rest = value.column() - 1 < at.length() ? at.substring(value.column() - 1) : "";
        if (rest.startsWith("|") || rest.startsWith(">")) {
            int l = value.line() + line;
            if (l > yaml.size()) {
                return value;
            }
            String body = yaml.get(l - 1);
            int indent = body.length() - body.stripLeading().length();
            return new SourcePos(value.file(), l, indent + column);
        }
        if (line == 1 && text.indexOf('\n') < 0) {
            boolean quoted = rest.startsWith("\"") || rest.startsWith("'");
            return value.shift(column - 1 + (quoted ? 1 : 0));
        }
        return value;
    }

    @Override
    public Paths paths(TemplateSpec spec) {
        return new Paths(Set.of(spec.file().path()), Set.of());
    }

    @Override
    public FileObserved observe(TemplateSpec spec, Context ctx) throws IOException, ResourceException {
        return files.observe(spec.file(), ctx);
    }

    @Override
    public Change diff(TemplateSpec spec, FileObserved observed) throws ResourceException {
        return files.diff(spec.file(), observed);
    }

    @Override
    public void apply(TemplateSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        files.apply(spec.file(), change, ctx);
    }

    /**
     * The rendered content: a change of the template file or of a variable it uses is a config
     * change, though the resource's own fields did not move.
     */
    @Override
    public String inputDigest(TemplateSpec spec, FileObserved observed) {
        return Digests.sha256(spec.file().content().orElseThrow());
    }
}
