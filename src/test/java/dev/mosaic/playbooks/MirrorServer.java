package dev.mosaic.playbooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A directory served over HTTP on 127.0.0.1 (a port the system picks), GET only, no listing. It
 * records every requested path, so a test can tell that nothing was fetched. Close it to stop it.
 */
final class MirrorServer implements AutoCloseable {

    private final HttpServer server;
    private final Path dir;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    private MirrorServer(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static MirrorServer serve(Path dir) {
        try {
            return new MirrorServer(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT}, the value of the playbook's {@code mirror}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The paths requested so far, in order. */
    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            Path file = dir.resolve(path.substring(1)).normalize();
            if (!ex.getRequestMethod().equals("GET") || !file.startsWith(dir) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = ex.getResponseBody()) {
                Files.copy(file, out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
