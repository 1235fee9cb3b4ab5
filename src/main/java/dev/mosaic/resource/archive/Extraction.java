package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.NewTree;
import dev.mosaic.host.WriteBatch;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.ArchiveReader.Kind;
import dev.mosaic.resource.archive.Unpacker.Item;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * The write pass of an {@link Unpacker}, once {@link Unpacker#check} has passed the whole archive:
 * the entries written, and the manifest entries of what was written (files with their CRC32C).
 *
 * <p>Into a destination that does not exist yet, the tree is written whole through the host's
 * {@link NewTree} (in place in a staging directory, flushed once, renamed): a kill leaves the
 * destination absent or complete. Into an existing one (another archive's files beside, a drift
 * repair), each file is written atomically through one {@link WriteBatch}: a kill leaves every
 * file old or new. Either way the manifest is recorded only once all of it is on disk.
 */
final class Extraction {

    private final Unpacker unpacker;
    private final TargetPath dest;
    private final String what;
    /** The buffer each file is copied through ({@link Chunks}), made on first need. */
    private byte[] copyBuffer;

    Extraction(Unpacker unpacker) throws IOException {
        this.unpacker = unpacker;
        this.dest = TargetPath.of(unpacker.dest());
        this.what = unpacker.what();
    }

    /**
     * Writes the checked entries (all, or only those in {@code only}): into a new tree when the
     * destination is absent, no other resource writes there ({@code alone}: two archives unpacked
     * into one new directory would each stage it, and only one could rename its tree into place)
     * and the host can stage one; else in place. ({@code only} names every entry when the
     * destination is absent: each one drifted.)
     */
    List<Manifest.Entry> extract(Unpacker.Layout layout, Set<String> only, Host host, boolean alone)
            throws IOException, ResourceException {
        // A drift repair of a destination removed whole writes all of it again: a new tree too.
        TargetPath parent = dest.parent();
        if (alone && parent != null && (only == null || !host.stat(dest).exists())) {
            if (!host.stat(parent).exists()) {
                host.mkdirs(parent, 0755); // by the host's own call: what it creates is noted as such
            }
            Optional<NewTree> tree = host.newTree(dest, 0755);
            if (tree.isPresent()) {
                try (NewTree t = tree.get()) {
                    return fresh(v -> eachChecked(layout.items(), only, v), t, host, () -> { });
                }
            }
        }
        if (!host.stat(dest).exists()) {
            host.mkdirs(dest, 0755);
        }
        return inPlace(layout, only, host);
    }

    /**
     * The check and the write in one pass, for a destination that does not exist yet: the tar
     * {@code decoded} streams (see {@link NativeDecoder#stream}) is checked entry by entry by
     * {@link Unpacker#checkWhileWriting} and written into a new tree as it is read, once, with no
     * spool. Nothing appears at the destination or anywhere else before every entry has passed:
     * the tree is a staging directory beside the destination, removed when the archive is
     * refused; the archive's symlinks are made only once all of it passed; the tree is renamed
     * into place only after the SHA-256 of the bytes fed to the decoder was found to be
     * {@code sha256}. Empty when the tool did not deliver (nothing kept): read it the other way.
     */
    Optional<Unpacked> singlePass(NativeDecoder.Stream decoded, Unpacker.Limits limits, String sha256, Host host,
                                  DigestCheck mismatch) throws IOException, ResourceException {
        TargetPath parent = dest.parent();
        if (parent == null || host.stat(dest).exists()) {
            return Optional.empty();
        }
        // The staging directory needs the destination's parent; made here, it is removed again
        // unless the tree is committed (a refused archive leaves no trace).
        List<TargetPath> made = new ArrayList<>();
        for (TargetPath p = parent; p != null && !host.stat(p).exists(); p = p.parent()) {
            made.add(p);
        }
        if (!made.isEmpty()) {
            host.mkdirs(parent, 0755);
        }
        Optional<Unpacked> done = Optional.empty();
        try {
            done = writeTree(decoded, limits, sha256, host, mismatch);
            return done;
        } finally {
            if (done.isEmpty()) {
                for (TargetPath p : made) {
                    host.delete(p);
                }
            }
        }
    }

    private Optional<Unpacked> writeTree(NativeDecoder.Stream decoded, Unpacker.Limits limits, String sha256, Host host,
                                         DigestCheck mismatch) throws IOException, ResourceException {
        Optional<NewTree> tree = host.newTree(dest, 0755);
        if (tree.isEmpty()) {
            return Optional.empty();
        }
        Unpacker.Layout[] layout = new Unpacker.Layout[1];
        try (NewTree t = tree.get()) {
            List<Manifest.Entry> entries = fresh(v -> layout[0] = unpacker.checkWhileWriting(limits, decoded.tar(),
                    (item, data) -> v.item(item, dest.join(item.path()), data)), t, host, () -> {
                Optional<String> digest = decoded.finish();
                if (digest.isEmpty()) {
                    throw new IOException("the decoder failed");
                }
                if (!digest.get().equals(sha256)) {
                    throw mismatch.of(digest.get());
                }
            });
            return Optional.of(new Unpacked(layout[0], entries));
        } catch (IOException e) {
            // A damaged archive ends the tool's output early; Java's decoders then name the damage.
            // A refusal is a ResourceException and stands.
            return Optional.empty();
        }
    }

    /** What a single pass unpacked: the checked entries and the manifest entries written. */
    record Unpacked(Unpacker.Layout layout, List<Manifest.Entry> entries) {
    }

    /** The refusal for an archive whose bytes were not those verified (damaged cache, a changed file). */
    interface DigestCheck {
        ResourceException of(String actual) throws IOException;
    }

    /** Runs once every entry was read and checked, before anything of the tree is made visible. */
    private interface Gate {
        void pass() throws IOException, ResourceException;
    }

    /** Hands each entry to write, with its path in the destination and its data. */
    private interface Feed {
        void each(ItemVisitor v) throws IOException, ResourceException;
    }

    /**
     * Every entry into a new tree: nothing is there, so nothing to stat, to open up or to keep.
     * Files and directories as they come, symlinks after them, directory modes last (children
     * first), then the commit.
     */
    private List<Manifest.Entry> fresh(Feed feed, NewTree tree, Host host, Gate gate) throws IOException, ResourceException {
        Map<String, Manifest.Entry> written = new LinkedHashMap<>();
        List<Item> links = new ArrayList<>();
        List<Item> dirs = new ArrayList<>();
        feed.each((item, p, data) -> {
            switch (item.kind()) {
                case DIRECTORY -> {
                    tree.mkdir(p, item.mode());
                    dirs.add(item);
                    written.put(item.path(), Manifest.Entry.dir(item.path(), item.mode()));
                }
                case FILE -> written.put(item.path(), write(item, data, in -> tree.write(p, in, item.mode())));
                case HARDLINK -> {
                    // Unpacked as a copy of its target, read back from the tree.
                    try (InputStream in = tree.open(dest.join(item.link()))) {
                        written.put(item.path(), write(item, in, c -> tree.write(p, c, item.mode())));
                    }
                }
                case SYMLINK -> {
                    links.add(item);
                    written.put(item.path(), Manifest.Entry.symlink(item.path(), item.link()));
                }
                default -> throw new IllegalStateException("unchecked entry kind " + item.kind());
            }
        });
        gate.pass();
        for (Item link : links) {
            tree.symlink(dest.join(link.path()), link.link());
        }
        dirs.sort(Comparator.comparing(Item::path).reversed()); // children before their parents
        for (Item dir : dirs) {
            tree.chmod(dest.join(dir.path()), dir.mode());
        }
        tree.commit();
        for (Item link : links) {
            // The manifest keeps the target as the host stored it (e.g. without a trailing slash).
            String stored = host.stat(dest.join(link.path())).linkTarget();
            written.put(link.path(), Manifest.Entry.symlink(link.path(), stored == null ? link.link() : stored));
        }
        return new ArrayList<>(written.values());
    }

    /**
     * Writes the checked entries (all, or only those in {@code only}) and returns the manifest
     * entries of what was written. Directories and files first, symlinks last, directory modes at
     * the very end (so that a read-only directory can still be filled).
     */
    List<Manifest.Entry> inPlace(Unpacker.Layout layout, Set<String> only, Host host) throws IOException, ResourceException {
        List<Item> items = layout.items();
        Map<String, Manifest.Entry> written = new LinkedHashMap<>();
        List<Item> links = new ArrayList<>();
        List<Item> dirs = new ArrayList<>();
        // Directories already there without write permission for us are opened for the unpack.
        for (Item item : items) {
            if (item.kind() == Kind.DIRECTORY && (item.mode() & 0200) == 0) {
                TargetPath p = dest.join(item.path());
                FileStat s = host.stat(p);
                if (s.isDirectory() && (s.mode() & 0700) != 0700) {
                    host.chmod(p, s.mode() | 0700);
                    dirs.add(item);
                }
            }
        }
        // Files go through one batch: written as they come, flushed together, renamed at each
        // commit. Staged paths not yet committed: a hard link to one of them commits first, since
        // it is read back from the target.
        Set<String> staged = new HashSet<>();
        try (WriteBatch batch = host.writes()) {
            eachChecked(items, only, (item, p, data) -> {
                switch (item.kind()) {
                    case DIRECTORY -> {
                        FileStat s = host.stat(p);
                        if (!s.isSymlink()) { // a symlink to a directory put there by the admin is kept
                            if (!s.exists()) {
                                host.mkdirs(p, item.mode() | 0700);
                            } else if ((s.mode() & 0700) != 0700) {
                                host.chmod(p, s.mode() | 0700);
                            }
                            dirs.add(item);
                        }
                        written.put(item.path(), Manifest.Entry.dir(item.path(), item.mode()));
                    }
                    case FILE -> {
                        written.put(item.path(), write(item, data, in -> batch.write(p, in, item.mode())));
                        staged.add(item.path());
                    }
                    case HARDLINK -> {
                        if (staged.contains(item.link())) {
                            batch.commit();
                            staged.clear();
                        }
                        // Unpacked as a copy of its target: the Host interface has no hard links.
                        try (InputStream in = host.open(dest.join(item.link()))) {
                            written.put(item.path(), write(item, in, c -> batch.write(p, c, item.mode())));
                        }
                        staged.add(item.path());
                    }
                    case SYMLINK -> {
                        links.add(item);
                        written.put(item.path(), Manifest.Entry.symlink(item.path(), item.link()));
                    }
                    default -> throw new IllegalStateException("unchecked entry kind " + item.kind());
                }
            });
            // Before symlinks are made and directory modes set (a read-only directory takes no rename).
            batch.commit();
        }
        for (Item link : links) {
            TargetPath p = dest.join(link.path());
            host.symlink(p, link.link());
            // The manifest keeps the target as the host stored it (e.g. without a trailing slash).
            String stored = host.stat(p).linkTarget();
            written.put(link.path(), Manifest.Entry.symlink(link.path(), stored == null ? link.link() : stored));
        }
        dirs.sort(Comparator.comparing(Item::path).reversed()); // children before their parents
        for (Item dir : dirs) {
            TargetPath p = dest.join(dir.path());
            if (host.stat(p).isDirectory()) {
                host.chmod(p, dir.mode());
            }
        }
        return new ArrayList<>(written.values());
    }

    /**
     * Hands a file's data to {@code sink}: exactly {@code item.size()} bytes, as the check pass
     * counted them, or all of it when the size is not known yet (-1, the single pass, whose check
     * counts the data as it is written); the manifest entry, with the CRC32C of what was written.
     */
    private Manifest.Entry write(Item item, InputStream data, Sink sink) throws IOException {
        CRC32C crc = new CRC32C();
        Exactly exactly = new Exactly(data, item.size());
        try (InputStream in = new Chunks(exactly, crc)) {
            sink.write(in);
        }
        return Manifest.Entry.file(item.path(), item.mode(), exactly.seen, Drift.hex(crc));
    }

    /**
     * A file's data as the host copies it ({@code transferTo}), in reads and writes of up to 1 MiB:
     * {@link InputStream#transferTo} copies 8 KiB at a time, 17,000 read and as many write calls
     * for the 138 MB tarball of the linux-source .deb (bench/README.md, "Round 6"). One buffer for
     * the whole unpack, whose files are written one after the other.
     */
    private final class Chunks extends CheckedInputStream {
        Chunks(InputStream in, CRC32C crc) {
            super(in, crc);
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            if (copyBuffer == null) {
                copyBuffer = new byte[1 << 20];
            }
            byte[] buf = copyBuffer;
            long n = 0;
            for (int r; (r = read(buf, 0, buf.length)) != -1; ) {
                out.write(buf, 0, r);
                n += r;
            }
            return n;
        }
    }

    private interface Sink {
        void write(InputStream in) throws IOException;
    }

    /** What the write pass does with one checked entry: its target path, and its data stream. */
    private interface ItemVisitor {
        void item(Item item, TargetPath path, InputStream data) throws IOException, ResourceException;
    }

    /**
     * Reads the archive again and hands {@code v} each entry the check pass kept (all, or only
     * those in {@code only}), in order; an entry other than the one the check saw there, or
     * fewer of them, means the archive changed between the passes.
     */
    private void eachChecked(List<Item> items, Set<String> only, ItemVisitor v) throws IOException, ResourceException {
        int[] next = {0};
        unpacker.reread((e, path, data) -> {
            if (next[0] >= items.size() || !items.get(next[0]).entryName().equals(e.name())) {
                throw changed();
            }
            Item item = items.get(next[0]++);
            if (only == null || only.contains(item.path())) {
                v.item(item, dest.join(item.path()), data);
            }
        });
        if (next[0] != items.size()) {
            throw changed();
        }
    }

    private IOException changed() {
        return new IOException(what + " changed while it was being unpacked");
    }

    /**
     * Exactly {@code size} bytes of an entry, as the check pass counted them; anything else means
     * the archive changed between the passes (-1: as many as there are). Closing does not close
     * the archive stream.
     */
    private final class Exactly extends EntryData {
        private final long size;
        private long seen;

        Exactly(InputStream in, long size) {
            super(in);
            this.size = size;
        }

        @Override
        protected void afterRead(int n) throws IOException {
            if (n > 0) {
                seen += n;
            }
            if (size >= 0 && (n < 0 ? seen != size : seen > size)) {
                throw changed();
            }
        }
    }
}
