package dev.mosaic.resource.template;

import dev.mosaic.resource.file.FileSpec;

/**
 * A file rendered from a template: the rendering happens when the playbook is loaded (so that
 * every template problem is found before anything is touched), and what remains is a
 * {@code file} with that content. {@code template} names the template for messages.
 */
public record TemplateSpec(FileSpec file, String template) {
}
