package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

/**
 * The control machine as kinds see it: it notes every path they read there (relative sources:
 * a file's {@code source}, a copied tree), so a saved plan can name those inputs with their
 * digests, and apply can refuse a plan whose inputs changed since. Paths below {@code ignored}
 * (the download cache, which is content-addressed) are not inputs. Thread-safe.
 */
final class ControlInputs extends ForwardingHost {

    private final Set<String> read = new ConcurrentSkipListSet<>();
    private final String ignored;

    ControlInputs(Host inner, String ignored) {
        super(inner);
        this.ignored = ignored;
    }

    private void note(TargetPath target) {
        String path = target.text();
        if (ignored == null || !(path.equals(ignored) || path.startsWith(ignored + "/"))) {
            read.add(path);
        }
    }

    /** Every path read so far with its digest now, sorted. */
    Map<String, String> digests() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String p : read) {
            out.put(p, digestOf(inner, p));
        }
        return out;
    }

    /** The paths among {@code recorded} whose digest differs now, each with what it is now. */
    List<String> moved(Map<String, String> recorded) throws IOException {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(recorded).entrySet()) {
            String now = digestOf(inner, e.getKey());
            if (!now.equals(e.getValue())) {
                out.add(e.getKey() + (now.equals("absent") ? " (now absent)" : " (changed)"));
            }
        }
        return out;
    }

    /** What a path is, as one string: absent, a file's sha256, a tree's digest, a link's target. */
    static String digestOf(Host host, String text) throws IOException {
        TargetPath path = TargetPath.of(text);
        FileStat st = host.stat(path);
        return switch (st.kind()) {
            case ABSENT -> "absent";
            case FILE -> "file sha256:" + host.sha256(path);
            case DIRECTORY -> "tree sha256:" + host.digestTree(path).sha256();
            case SYMLINK -> {
                try {
                    yield "symlink " + st.linkTarget() + " sha256:" + host.sha256(path); // sha256 follows the link
                } catch (IOException e) {
                    yield "symlink " + st.linkTarget(); // to a directory or nowhere
                }
            }
            case OTHER -> "special";
        };
    }

    @Override
    public FileStat stat(TargetPath path) throws IOException {
        note(path);
        return inner.stat(path);
    }

    @Override
    public byte[] read(TargetPath path) throws IOException {
        note(path);
        return inner.read(path);
    }

    @Override
    public InputStream open(TargetPath path) throws IOException {
        note(path);
        return inner.open(path);
    }

    @Override
    public String sha256(TargetPath path) throws IOException {
        note(path);
        return inner.sha256(path);
    }

    @Override
    public List<TreeEntry> walk(TargetPath dir) throws IOException {
        note(dir);
        return inner.walk(dir);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir) throws IOException {
        note(dir);
        return inner.digestTree(dir);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir, Predicate<String> names) throws IOException {
        note(dir);
        return inner.digestTree(dir, names);
    }
}
