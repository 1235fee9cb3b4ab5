package dev.mosaic.resource;

import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.loader.Loader;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The templates one rendering may read: the main one, and what it includes, imports or
 * extends — relative names next to the including file, on the machine running Mosaic.
 * Names are kept as messages show them; {@code files} maps them to where they are.
 */
final class TemplateSources implements Loader<String> {
    private final Templates.Template main;
    private final Map<String, Path> files = new HashMap<>();
    private final Map<String, String> texts = new HashMap<>();

    TemplateSources(Templates.Template main) {
        this.main = main;
        texts.put(main.name(), main.text());
    }

    boolean known(String name) {
        return texts.containsKey(name) || files.containsKey(name);
    }

    String text(String name) {
        return texts.get(name);
    }

    @Override
    public Reader getReader(String name) {
        String text = texts.get(name);
        if (text == null) {
            Path file = files.get(name);
            try {
                text = Files.readString(file == null ? Path.of(name) : file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new LoaderException(e, "cannot read template " + name
                        + (e instanceof java.nio.file.NoSuchFileException ? ": no such file" : ": " + e.getMessage()));
            }
            texts.put(name, text);
        }
        return new StringReader(text);
    }

    @Override
    public String resolveRelativePath(String relative, String anchor) {
        boolean fromMain = anchor.equals(main.name());
        if (!fromMain && !files.containsKey(anchor)) {
            return relative;
        }
        Path dir = fromMain ? main.dir() : files.get(anchor).getParent();
        Path shownDir = fromMain ? main.shownDir() : Path.of(anchor).getParent();
        String name = Path.of(relative).isAbsolute() ? relative
                : (shownDir == null ? Path.of(relative) : shownDir.resolve(relative)).normalize().toString();
        files.putIfAbsent(name, dir.resolve(relative).normalize());
        return name;
    }

    @Override
    public String createCacheKey(String name) {
        return name;
    }

    @Override
    public boolean resourceExists(String name) {
        return texts.containsKey(name) || (files.containsKey(name) && Files.isRegularFile(files.get(name)));
    }

    @Override
    public void setCharset(String charset) {
    }

    @Override
    public void setPrefix(String prefix) {
    }

    @Override
    public void setSuffix(String suffix) {
    }
}
