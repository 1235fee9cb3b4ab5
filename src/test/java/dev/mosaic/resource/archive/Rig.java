package dev.mosaic.resource.archive;

import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Pins;
import dev.mosaic.state.KeyValueDir;
import dev.mosaic.state.LockFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One target for tests: a sandbox root, the resource's memory, and the control machine's side
 * (playbook directory with its mosaic.lock, download cache), all below a test's temp directory.
 */
final class Rig implements Context {

    final Path root;
    final Path baseDir;
    final Path cacheDir;
    final Path memoryDir;
    final LockFile lock;
    final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final LocalHost host;
    private final Host control = new LocalHost(Path.of("/"));
    private final KeyValueDir notes;
    private final Memory memory = new Memory() {
        @Override
        public Optional<String> get(String key) throws IOException {
            return notes.get(key);
        }

        @Override
        public void put(String key, String value) throws IOException {
            notes.put(key, value);
        }
    };

    Rig(Path root, Path memoryDir, Path baseDir, Path cacheDir) {
        try {
            Files.createDirectories(root);
            Files.createDirectories(baseDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.root = root;
        this.baseDir = baseDir;
        this.cacheDir = cacheDir;
        this.memoryDir = memoryDir;
        this.host = new LocalHost(root);
        this.notes = new KeyValueDir(memoryDir);
        this.lock = new LockFile(baseDir.resolve("mosaic.lock"));
    }

    /** The local path of a target path. */
    Path at(String targetPath) {
        return root.resolve(targetPath.substring(1));
    }

    @Override
    public Host host() {
        return host;
    }

    @Override
    public Host control() {
        return control;
    }

    @Override
    public Path baseDir() {
        return baseDir;
    }

    @Override
    public void output(String line) {
        output.add(line);
    }

    /** One memory per context, as the engine's: an apply and the observe after it share it. */
    @Override
    public Memory memory() {
        return memory;
    }

    @Override
    public Path cacheDir() {
        return cacheDir;
    }

    @Override
    public Pins pins() {
        return new Pins() {
            @Override
            public Optional<String> sha256(String url) throws IOException {
                return lock.get(url);
            }

            @Override
            public void pin(String url, String sha256) throws IOException {
                lock.pin(url, sha256);
            }
        };
    }
}
