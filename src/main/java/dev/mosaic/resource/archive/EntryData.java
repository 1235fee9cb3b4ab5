package dev.mosaic.resource.archive;

import org.apache.commons.io.input.ProxyInputStream;

import java.io.IOException;
import java.io.InputStream;

/**
 * One archive entry's data, as a check watches it go by: a subclass sees every read's byte count
 * ({@link #afterRead}) and may refuse by throwing. The entry cannot be skipped (what is skipped
 * would go unchecked), and closing it does not close the archive stream, which belongs to the reader.
 */
abstract class EntryData extends ProxyInputStream {

    EntryData(InputStream archive) {
        super(archive);
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip not supported");
    }

    @Override
    public void close() {
        // the archive stream belongs to the reader
    }
}
