package dev.mosaic.resource;

import dev.mosaic.yaml.YNode;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The variables a template sees, looked up as it asks for them: the resource's own values
 * over the scope's. Records which scope variables were read, so that a
 * template using a sensitive one makes its resource sensitive.
 */
final class TemplateContext extends AbstractMap<String, Object> {
    private final Variables vars;
    private final Map<String, Object> extra;
    private final Map<String, Object> converted = new HashMap<>();
    final Set<String> used = new LinkedHashSet<>();

    TemplateContext(Variables vars, Map<String, Object> extra) {
        this.vars = vars;
        this.extra = extra;
    }

    @Override
    public boolean containsKey(Object key) {
        return extra.containsKey(key) || vars.names().contains(key);
    }

    @Override
    public Object get(Object key) {
        if (!(key instanceof String name) || !containsKey(name)) {
            return null;
        }
        if (converted.containsKey(name)) {
            return converted.get(name);
        }
        if (extra.containsKey(name)) {
            return extra.get(name);
        }
        used.add(name);
        YNode v = vars.value(name);
        Object o = v == null ? null : Templates.toJava(v);
        converted.put(name, o);
        return o;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        // Only a template that lists its whole context (_context) gets here: it reads everything.
        Map<String, Object> all = new TreeMap<>();
        for (String n : vars.names()) {
            all.put(n, get(n));
        }
        for (String n : extra.keySet()) {
            all.put(n, get(n));
        }
        return all.entrySet();
    }
}
