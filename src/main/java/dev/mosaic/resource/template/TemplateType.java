package dev.mosaic.resource.template;

import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.Templates;
import dev.mosaic.resource.file.FileObserved;
import dev.mosaic.resource.file.FileSpec;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.yaml.YNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
    public Set<Capability> capabilities() {
        return Set.of(Capability.ONLY_THROUGH_HOST);
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
        Map<String, Object> extra = new LinkedHashMap<>();
        if (r.raw("vars") instanceof YNode.Map vars) {
            vars.entries().values().forEach(e -> extra.put(e.key(), Templates.toJava(e.value())));
        }
        Optional<Integer> mode = r.mode("mode");
        Optional<String> owner = r.optString("owner");
        Optional<String> group = r.optString("group");
        if (r.failed()) {
            return null;
        }
        Templates.Template template = source.isPresent() ? Templates.read(r, "source", source.get())
                : Templates.inline(r, "template", inline.get());
        String text = template == null ? null : Templates.render(r, template, extra);
        if (text == null) {
            return null;
        }
        FileSpec file = new FileSpec(path, true, Optional.of(text.getBytes(StandardCharsets.UTF_8)),
                Optional.empty(), mode, owner, group);
        return new TemplateSpec(file, template.name());
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
