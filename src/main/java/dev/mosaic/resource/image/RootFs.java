package dev.mosaic.resource.image;

import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.initrd.Cpio;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A root file system being assembled: every entry by its path inside the image, each file's
 * content in a blob of the staging directory. Nothing is ever written through a path of the
 * image, so a hostile package cannot reach outside the staging directory: names are checked
 * (no absolute path, no {@code ..}), and an entry below a symlink or a file of the image is
 * refused, which also keeps {@link #materialize} from following a link the image holds.
 */
final class RootFs {

    sealed interface Node permits Dir, File, Link {
    }

    record Dir(int mode, int uid, int gid) implements Node {
    }

    record File(Path blob, long size, int mode, int uid, int gid) implements Node {
    }

    record Link(String target) implements Node {
    }

    /** Paths without the leading slash ("usr/bin/slurmd"), sorted. */
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final Path blobs;
    private final Globs exclude;
    private int blobCount;

    RootFs(Path staging, Globs exclude) throws IOException {
        this.blobs = Files.createDirectories(staging.resolve("blobs"));
        this.exclude = exclude;
    }

    Map<String, Node> nodes() {
        return nodes;
    }

    /**
     * Adds the data tar of a package ({@code dpkg-deb --fsys-tarfile}), minus excluded paths.
     * Entries of every package are owned by root, as if dpkg had unpacked them.
     */
    void addTar(Path tar, String pkg) throws IOException, ResourceException {
        try (InputStream raw = Files.newInputStream(tar); TarArchiveInputStream in = new TarArchiveInputStream(raw)) {
            for (TarArchiveEntry e; (e = in.getNextTarEntry()) != null; ) {
                String path = entryPath(e.getName(), pkg);
                if (path.isEmpty() || exclude.matches("/" + path)) {
                    continue;
                }
                int mode = e.getMode() & 07777;
                String origin = "package " + pkg;
                if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    throw new ResourceException(origin + ": '" + e.getName() + "' is a special file (device or fifo);"
                            + " a node image takes files, directories and links only");
                }
                if (e.isDirectory()) {
                    put(path, new Dir(mode, 0, 0), origin);
                } else if (e.isSymbolicLink()) {
                    put(path, new Link(e.getLinkName()), origin);
                } else if (e.isLink()) {
                    String to = entryPath(e.getLinkName(), pkg);
                    if (!(nodes.get(to) instanceof File f)) {
                        throw new ResourceException(origin + ": '" + e.getName() + "' is a hard link to '"
                                + e.getLinkName() + "', which is not a file of the image");
                    }
                    put(path, f, origin);
                } else if (e.isFile()) {
                    put(path, new File(blob(in), e.getSize(), mode, 0, 0), origin);
                } else {
                    throw new ResourceException(origin + ": '" + e.getName() + "' is a tar entry of type '" + (char) e.getLinkFlag()
                            + "'; a node image takes files, directories and links only");
                }
            }
        }
    }

    /** A tar entry's name as an image path, refused when it could climb out of the image. */
    private static String entryPath(String name, String pkg) throws ResourceException {
        if (name.indexOf('\0') >= 0 || name.startsWith("/")) {
            throw new ResourceException("package " + pkg + ": refusing the entry '" + name.replace('\0', '?')
                    + "': an absolute name or a NUL byte");
        }
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.equals("..")) {
                throw new ResourceException("package " + pkg + ": refusing the entry '" + name + "': a '..' component would climb out of the image");
            }
            if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        return String.join("/", parts);
    }

    private Path blob(InputStream content) throws IOException {
        Path b = blobs.resolve(Integer.toString(blobCount++));
        try (OutputStream out = Files.newOutputStream(b, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            content.transferTo(out);
        }
        return b;
    }

    /** A file the playbook declares, its content already in memory. */
    void addFile(String path, byte[] content, int mode, int uid, int gid) throws IOException, ResourceException {
        Path b = blobs.resolve(Integer.toString(blobCount++));
        Files.write(b, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        put(strip(path), new File(b, content.length, mode, uid, gid), "the playbook");
    }

    void addLink(String path, String target) throws ResourceException {
        put(strip(path), new Link(target), "the playbook");
    }

    void addDir(String path) throws ResourceException {
        put(strip(path), new Dir(0755, 0, 0), "the playbook");
    }

    private static String strip(String path) {
        return path.replaceFirst("^/+", "");
    }

    /**
     * Puts an entry, its missing parents as directories (0755, root). What a later package or the
     * playbook puts replaces what was there, as a later file replaces an earlier one in dpkg; a
     * directory that holds entries is never replaced by something else.
     */
    private void put(String path, Node node, String origin) throws ResourceException {
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            String parent = path.substring(0, i);
            Node p = nodes.get(parent);
            if (p == null) {
                nodes.put(parent, new Dir(0755, 0, 0));
            } else if (!(p instanceof Dir)) {
                throw new ResourceException(origin + ": refusing /" + path + ": it lies below /" + parent + ", which the image has as a "
                        + (p instanceof Link ? "symlink" : "file"));
            }
        }
        Node old = nodes.get(path);
        if (old instanceof Dir && !(node instanceof Dir)) {
            String below = nodes.ceilingKey(path + "/");
            if (below != null && below.startsWith(path + "/")) {
                throw new ResourceException(origin + ": refusing to replace the directory /" + path + " (it holds /" + below
                        + ") with a " + (node instanceof Link ? "symlink" : "file"));
            }
        }
        nodes.put(path, node);
    }

    /** The whole tree as a newc cpio archive, every entry's mtime at {@code epoch}. */
    void writeCpio(OutputStream out, long epoch) throws IOException {
        Cpio cpio = new Cpio();
        for (var e : nodes.entrySet()) {
            Node n = e.getValue();
            if (n instanceof Dir d) {
                cpio.dir(e.getKey(), d.mode(), d.uid(), d.gid());
            } else if (n instanceof File f) {
                cpio.file(e.getKey(), f.blob(), f.size(), f.mode(), f.uid(), f.gid());
            } else if (n instanceof Link l) {
                cpio.symlink(e.getKey(), l.target());
            }
        }
        cpio.writeTo(out, epoch);
    }

    /**
     * Writes the tree below {@code dir} (which must not exist), for tools that pack a directory.
     * Parents come before children in the sorted order and nothing lies below a symlink, so every
     * write lands in a directory this method made itself.
     */
    void materialize(Path dir) throws IOException {
        Files.createDirectory(dir);
        Files.setAttribute(dir, "unix:mode", 0755);
        for (var e : nodes.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Node n = e.getValue();
            if (n instanceof Dir d) {
                Files.createDirectory(p);
                Files.setAttribute(p, "unix:mode", d.mode(), LinkOption.NOFOLLOW_LINKS);
            } else if (n instanceof File f) {
                Files.copy(f.blob(), p);
                Files.setAttribute(p, "unix:mode", f.mode(), LinkOption.NOFOLLOW_LINKS);
            } else if (n instanceof Link l) {
                Files.createSymbolicLink(p, Path.of(l.target()));
            }
        }
    }
}
