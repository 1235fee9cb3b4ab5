package dev.mosaic.resource;

import dev.mosaic.host.Host;

import java.nio.file.Path;

/**
 * A context that passes everything to another one; a kind that builds on another kind overrides
 * what differs (its own notes, say) and keeps the rest.
 */
public class ForwardingContext implements Context {

    private final Context inner;

    public ForwardingContext(Context inner) {
        this.inner = inner;
    }

    @Override
    public Host host() {
        return inner.host();
    }

    @Override
    public Host control() {
        return inner.control();
    }

    @Override
    public Path baseDir() {
        return inner.baseDir();
    }

    @Override
    public void output(String line) {
        inner.output(line);
    }

    @Override
    public Memory memory() {
        return inner.memory();
    }

    @Override
    public Path cacheDir() {
        return inner.cacheDir();
    }

    @Override
    public Pins pins() {
        return inner.pins();
    }

    @Override
    public boolean managedByOther(String path) {
        return inner.managedByOther(path);
    }

    @Override
    public boolean producedByOther(String path) {
        return inner.producedByOther(path);
    }

    @Override
    public boolean sharedWithOther(String path) {
        return inner.sharedWithOther(path);
    }
}
