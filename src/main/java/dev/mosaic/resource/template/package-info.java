/**
 * The {@code template} kind: a regular file rendered from a template with Jinja syntax (Pebble),
 * over every variable of the resource's scope — the playbook's {@code vars} with the inventory's
 * and {@code --var}, or a module's params — and the resource's own {@code vars:} on top. Lists of
 * mappings (a node list) are what it is for: loops, conditionals, filters.
 *
 * <p>Rendering happens when the playbook is loaded: an undefined variable or attribute, a syntax
 * error, an unknown filter, a {@code for} over a string or a number is reported at the template's
 * {@code file:line:col} with the field that names it, before anything is touched. A template that
 * uses a sensitive variable makes its resource sensitive (its diffs are redacted). Observing and
 * writing are the {@code file} kind's. Mappings iterate in key order ({@code {% for e in map %}}
 * gives {@code e.key}, {@code e.value}); {@code loop.index} counts from 0; whitespace is kept as
 * written ({@code {%- … -%}} trims it). {@code ${…}} in an inline template is the playbook's own
 * interpolation, done first ({@code $${} for a literal {@code ${}).
 *
 * <pre>{@code
 * hosts:
 *   type: template
 *   path: /etc/hosts
 *   vars:                           # usually the playbook's own vars (a node list)
 *     domain: lab
 *     nodes:
 *       - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.2.21 }
 *       - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.2.22 }
 *   template: |
 *     127.0.0.1 localhost
 *     {% for n in nodes -%}
 *     {{ n.ip }} {{ n.name }}.{{ domain }} {{ n.name }}
 *     {% endfor -%}
 *   # or, instead of 'template:', a file next to the playbook (or the module):
 *   # source: templates/hosts.j2
 *   mode: "0644"
 * }</pre>
 */
package dev.mosaic.resource.template;
