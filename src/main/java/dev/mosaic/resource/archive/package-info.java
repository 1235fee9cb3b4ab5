/**
 * The {@code archive} kind: fetch an archive, verify it, unpack it — the
 * {@code tar -zxvf linux-2.4.22.tar.gz} and {@code bunzip2 openMosix-2.4.22-1.bz2} steps of a
 * netboot server recipe, done once and redone only when something changed.
 *
 * <pre>{@code
 * kernel-src:
 *   type: archive
 *   source: https://mirror.example/linux-2.4.22.tar.gz  # http(s)://, file:// or a path (relative: next to the playbook)
 *   mirrors: [https://other.example/linux-2.4.22.tar.gz] # tried in order when the source is unavailable
 *   sha256: "4c7f8d9e2b1a0f3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4" # optional: without it, the first fetch pins one in mosaic.lock
 *   dest: /usr/src
 *   creates: /usr/src/linux-2.4.22     # optional guard: when it exists, nothing is done
 * openmosix-patch:
 *   type: archive
 *   source: files/openMosix-2.4.22-1.bz2  # a single compressed file: unpacks to /usr/src/openMosix-2.4.22-1
 *   dest: /usr/src
 * ltsp-client:
 *   type: archive
 *   source: files/ltsp-client_5.0_i386.deb  # a .deb: its data.tar.* is unpacked
 *   dest: /opt/ltsp/i386
 *   format: deb                        # auto (default: by name, then by content), tar, tar.gz|tgz, tar.bz2,
 *                                      # tar.xz, zip, gz, bz2, xz, deb
 *   strip_components: 0
 *   allow_setuid: false                # setuid/setgid files refused, directories' bits dropped, unless true
 *   max_size: 8GiB                     # decompression-bomb limits: unpacked bytes,
 *   max_ratio: 200                     #   unpacked bytes per archive byte (past the first MiB),
 *   max_entries: 200000                #   and entries
 * }</pre>
 *
 * <h2>Integrity</h2>
 * Anything fetched over the network is verified by sha256: the playbook's {@code sha256}, or else
 * the digest pinned in {@code mosaic.lock} by the first successful fetch ({@code plan} shows
 * {@code (will pin sha256:…)} until then). A mismatch fails the resource with both digests and
 * unpacks nothing. Downloads stream into the control machine's content-addressed cache
 * ({@code <cache>/sha256/<hex>}) and are renamed into place only once verified, so one digest is
 * fetched once, whichever playbook or target needs it. Files on the control machine are read
 * where they are; their digest is checked against {@code sha256} when one is given, never pinned
 * (editing them is a change, not an attack). A plan takes the digest that the last apply verified
 * while the file's identity (size, mtime, inode) is unchanged, and hashes it otherwise; an apply
 * hashes what it unpacks.
 *
 * <h2>Idempotence</h2>
 * After an unpack, the resource remembers a manifest: the archive's digest and every path it
 * wrote with kind, mode, size and CRC32C (or link target), and each file's identity as
 * {@code lstat} showed it once written (mtime, inode). {@code observe} compares the destination
 * against it without reading the archive: mode and size, then the identity, and the content only
 * of a file whose identity changed (git's index, rsync's quick check); so an unchanged archive
 * with an intact destination is a no-op that reads no file, even when the download cache was
 * emptied. Manifests of earlier versions (SHA-256, no identity) are compared by content.
 * A changed digest (or {@code dest}, {@code format}, {@code strip_components}) unpacks the whole
 * archive again; drift (a manifest path missing or modified) rewrites only the drifted paths.
 * Paths in the destination that the archive does not have are never touched, nor are files a
 * previous version of the archive had: unpacking adds and overwrites, it never deletes.
 * {@code plan} never downloads: an archive not in the cache is shown as {@code (fetch)}.
 *
 * <h2>Hostile archives</h2>
 * Every entry of the archive is checked before anything of it is visible at {@code dest}, and the
 * archive refused, naming the entry, when it has: an absolute path or a {@code ..} part; a symlink that (followed through the
 * archive's own symlinks) ends outside {@code dest}, or any entry below a symlink of the same
 * archive; a hard link to something that is not a regular file earlier in the archive; a device
 * node, fifo or socket; a regular file with setuid/setgid bits (unless {@code allow_setuid});
 * more unpacked bytes, ratio or entries than the limits; in a zip, two entries of one name (tools
 * disagree on which one counts); bytes that are not of the archive's format (a zip read as
 * {@code format: tar} would otherwise pass for an empty tar). Setuid/setgid bits of directories
 * are dropped unless {@code allow_setuid} (a root file system image keeps its 2775
 * {@code /var/mail}); the sticky bit is dropped from files (Linux ignores it there) and kept on
 * directories. The target is checked too: a directory where the archive has a file (or a file
 * where it needs a directory) is refused rather than deleted. A destination that does not exist
 * yet is written whole in a staging directory beside it ({@link dev.mosaic.host.NewTree}: flushed,
 * then renamed), so an interrupted run leaves it absent or complete; into an existing one, files
 * are written through one {@link dev.mosaic.host.WriteBatch} (atomic writes flushed together), so
 * an interrupted run leaves no partial file. Either way the manifest is recorded once all is on
 * disk; symlinks are created after all files; directory modes are set last.
 *
 * <p>A compressed tar or a .deb is decompressed by {@code xz}, {@code gzip}, {@code bzip2} or
 * {@code dpkg-deb} when the control machine has it; every entry is still checked by Mosaic itself.
 * Into a new {@code dest} of its own, the tool's output is read once as it comes: each entry is
 * checked and written into the staging tree, the checks that need the whole archive (symlinks)
 * run at its end, and the SHA-256 of the bytes fed to the tool is compared with the one observed;
 * only then is the tree renamed into place (a refusal removes it: nothing was written to
 * {@code dest}). Otherwise the archive is verified, decompressed into a plain tar spooled in the
 * cache (bounded by the limits above, deleted after the unpack), checked whole, then written.
 * Without the tool, or when it fails, Java's decoders read the archive (and name what is wrong
 * with it). A large archive on the control machine is hashed by {@code openssl dgst -sha256} or
 * else {@code sha256sum} when there is one (the launcher's C1-only JIT has no SHA-256 intrinsic).
 *
 * <p>Owners are not restored (files belong to the user Mosaic runs as); hard links are unpacked as
 * copies; modification times are those of the unpack. Existing symlinks to directories on the
 * target are followed, not replaced (as {@code tar --keep-directory-symlink}).
 *
 * <h2>Paths</h2>
 * The resource claims only {@code creates}, when given. Which paths an archive produces is known
 * only once it is read, which the graph cannot wait for; and claiming {@code dest} would be wrong:
 * several archives unpack into {@code /usr/src}, and a {@code directory} resource may own it. So
 * {@code dest} is declared as filled: the archive comes after the resource owning {@code dest} (or
 * the nearest directory above it), and before whoever reads or modifies a path there (a build
 * whose {@code inputs} name the unpacked tree, a patch), unless that path has an owner of its own
 * (another archive's {@code creates}). A file written into the unpacked tree (a kernel
 * {@code .config}) still needs {@code requires} when it does not read the tree. The source is not a target read: a path or
 * {@code file://} URL is read on the control machine.
 */
package dev.mosaic.resource.archive;
