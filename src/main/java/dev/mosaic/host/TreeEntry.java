package dev.mosaic.host;

/** One entry of a directory tree walk: its path relative to the walked root ('/'-separated). */
public record TreeEntry(String relativePath, FileStat stat) {
}
