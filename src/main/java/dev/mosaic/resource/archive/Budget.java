package dev.mosaic.resource.archive;

import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

/**
 * The unpacked bytes of one archive counted against its limits as its entries are read:
 * {@code max_size}, and {@code max_ratio} times the archive's own size (past {@link #RATIO_GRACE}).
 * The first entry that takes the total past either is refused, by name, before more is read.
 */
final class Budget {

    /** The ratio limit applies once this much is unpacked: tiny archives compress oddly well. */
    static final long RATIO_GRACE = 1L << 20;

    /** How a refusal names the archive and the destination ({@link Unpacker#refuse}). */
    interface Refusals {
        ResourceException refuse(String entryName, String reason);
    }

    /** What the single pass does with a file's data, read through the budget. */
    interface Reader {
        void read(InputStream data) throws IOException, ResourceException;
    }

    private final Unpacker.Limits limits;
    private final long archiveSize;
    private final Refusals refusals;
    private long total;

    Budget(Unpacker.Limits limits, long archiveSize, Refusals refusals) {
        this.limits = limits;
        this.archiveSize = archiveSize;
        this.refusals = refusals;
    }

    /** The bytes counted so far. */
    long total() {
        return total;
    }

    /** Reads a file's data to its end, counting it; its size. */
    long count(String name, InputStream data) throws IOException, ResourceException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = data.read(buf)) != -1; ) {
            n += r;
            add(name, r);
        }
        return n;
    }

    /**
     * Hands a file's data to {@code reader} through the budget (past the limits, its read fails
     * with the refusal, which is thrown here), then counts whatever it left; the file's size.
     */
    long countWhile(String name, InputStream data, Reader reader) throws IOException, ResourceException {
        Counted in = new Counted(name, data);
        try {
            reader.read(in);
            in.transferTo(OutputStream.nullOutputStream()); // counted whole, whatever was read
        } catch (IOException x) {
            for (Throwable c = x; c != null; c = c.getCause()) {
                if (c instanceof Refusal r) {
                    throw r.refusal;
                }
            }
            throw x;
        }
        return in.count;
    }

    /** Adds {@code bytes} of entry {@code name}; refuses it when that passes a limit. */
    void add(String name, long bytes) throws ResourceException {
        total += bytes;
        if (total > limits.maxSize()) {
            throw refusals.refuse(name, "takes the unpacked size past max_size (" + Sizes.human(limits.maxSize()) + ")");
        }
        if (total > RATIO_GRACE && total > limits.maxRatio() * Math.max(archiveSize, 1)) {
            throw refusals.refuse(name, "takes the unpacked size past max_ratio (" + ratio(limits.maxRatio())
                    + ") times the archive's " + Sizes.human(archiveSize) + ", like a decompression bomb");
        }
    }

    private static String ratio(double r) {
        return r == Math.rint(r) ? Long.toString((long) r) : String.format(Locale.ROOT, "%s", r);
    }

    /** A refusal carried through a writer's read, which can only throw an IOException. */
    private static final class Refusal extends IOException {
        private final transient ResourceException refusal;

        Refusal(ResourceException refusal) {
            super(refusal.getMessage());
            this.refusal = refusal;
        }
    }

    /** A file's data counted as it is read: past the limits, the read fails before the bytes are handed on. */
    private final class Counted extends EntryData {
        private final String name;
        private long count;

        Counted(String name, InputStream data) {
            super(data);
            this.name = name;
        }

        @Override
        protected void afterRead(int n) throws IOException {
            if (n > 0) {
                count += n;
                try {
                    add(name, n);
                } catch (ResourceException e) {
                    throw new Refusal(e);
                }
            }
        }
    }
}
