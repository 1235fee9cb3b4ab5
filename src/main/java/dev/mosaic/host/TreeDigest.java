package dev.mosaic.host;

/** The digest of a directory tree, with how many files it covers and how many had to be re-hashed. */
public record TreeDigest(String sha256, int files, int rehashed) {
}
