package dev.mosaic.resource.kconfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading and editing the lines of a kernel {@code .config}. */
final class DotConfig {

    private static final Pattern SET = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
    private static final Pattern UNSET = Pattern.compile("^# (CONFIG_[A-Za-z0-9_]+) is not set$");

    private DotConfig() {
    }

    /** Option values as Kconfig writes them, strings unquoted; "is not set" reads as n. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher s = SET.matcher(line);
            if (s.matches()) {
                out.put(s.group(1), unquote(s.group(2)));
                continue;
            }
            Matcher u = UNSET.matcher(line);
            if (u.matches()) {
                out.put(u.group(1), "n");
            }
        }
        return out;
    }

    /** The value an option has in a parsed config: absent options are n. */
    static String valueOf(Map<String, String> config, String option) {
        return config.getOrDefault(option, "n");
    }

    /** Sets options in a config text, replacing existing lines and appending the others. */
    static String set(String text, Map<String, String> options) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        Map<String, String> left = new LinkedHashMap<>(options);
        for (int i = 0; i < lines.size(); i++) {
            String name = nameOf(lines.get(i));
            if (name != null && left.containsKey(name)) {
                lines.set(i, line(name, left.remove(name)));
            }
        }
        left.forEach((k, v) -> lines.add(line(k, v)));
        return String.join("\n", lines) + "\n";
    }

    private static String nameOf(String line) {
        Matcher s = SET.matcher(line);
        if (s.matches()) {
            return s.group(1);
        }
        Matcher u = UNSET.matcher(line);
        return u.matches() ? u.group(1) : null;
    }

    static String line(String name, String value) {
        if (value.equals("n")) {
            return "# " + name + " is not set";
        }
        if (value.equals("y") || value.equals("m") || value.matches("-?\\d+|0x[0-9a-fA-F]+")) {
            return name + "=" + value;
        }
        return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }
}
