package dev.mosaic.resource;

import java.util.List;
import java.util.Map;

/**
 * Generated from schemas/resources/*.schema.json and schemas/common.schema.json by KindTableTest
 * (mvn test -Dtest=KindTableTest -Dmosaic.docs.update=true): edit the schemas, not this file.
 * Per kind, each field with a default or words (a nested one by its path, such as menu.prompt):
 * f(field, default or null, words...).
 */
final class KindTable {

    private KindTable() {
    }

    /** The kind's fields; null for a kind without a schema. */
    static Map<String, KindSchema.Field> fields(String kind) {
        return switch (kind) {
            case "archive" -> Map.ofEntries(
                    f("allow_setuid", false),
                    f("format", "auto", "auto", "tar", "tar.gz", "tgz", "tar.bz2", "tar.xz", "zip", "gz", "bz2", "xz", "deb"),
                    f("max_entries", 200000L),
                    f("max_ratio", 200L),
                    f("max_size", "8GiB"),
                    f("on_remove", "delete", "delete", "keep"),
                    f("rootfs", false),
                    f("strip_components", 0L));
            case "build" -> Map.ofEntries(
                    f("network", false),
                    f("on_remove", "delete", "delete", "keep"),
                    f("share", true),
                    f("toolchain", List.of("cc --version", "make --version")));
            case "copy" -> Map.ofEntries(
                    f("on_remove", "delete", "delete", "keep"),
                    f("purge", false));
            case "directory" -> Map.ofEntries(
                    f("ensure", "present", "present", "absent"),
                    f("force", false),
                    f("on_remove", "delete", "delete", "keep"));
            case "dnsmasq" -> Map.ofEntries(
                    f("dns_port", 0L),
                    f("on_remove", "delete", "delete", "keep"));
            case "file" -> Map.ofEntries(
                    f("ensure", "present", "present", "absent"),
                    f("on_remove", "delete", "delete", "keep"));
            case "initrd" -> Map.ofEntries(
                    f("compression", "gzip", "gzip", "none"),
                    f("files.sensitive", false),
                    f("nodes.kind", null, "char", "block"),
                    f("nodes.mode", "0600"),
                    f("on_remove", "delete", "delete", "keep"));
            case "kernel_config" -> Map.ofEntries(
                    f("network", false),
                    f("on_remove", "delete", "delete", "keep"),
                    f("resolver", "olddefconfig", "olddefconfig", "oldconfig"));
            case "line" -> Map.ofEntries(
                    f("ensure", "present", "present", "absent"),
                    f("on_remove", "delete", "delete", "keep"));
            case "link" -> Map.ofEntries(
                    f("ensure", "present", "present", "absent"),
                    f("force", false),
                    f("on_remove", "delete", "delete", "keep"));
            case "node_image" -> Map.ofEntries(
                    f("epoch", 0L),
                    f("files.group", 0L),
                    f("files.mode", "0644"),
                    f("files.owner", 0L),
                    f("files.sensitive", false),
                    f("format", "cpio", "cpio", "squashfs"),
                    f("on_remove", "delete", "delete", "keep"));
            case "package" -> Map.ofEntries(
                    f("on_remove", "delete", "delete", "keep"),
                    f("state", "installed", "installed", "absent", "unpacked"));
            case "patch" -> Map.ofEntries(
                    f("fuzz", 2L),
                    f("on_remove", "delete", "delete", "keep"),
                    f("strip", 1L));
            case "pxe" -> Map.ofEntries(
                    f("loaders", List.of("pxelinux"), "pxelinux", "ipxe", "grub"),
                    f("menu.prompt", 0L),
                    f("menu.timeout", 0L),
                    f("on_remove", "delete", "delete", "keep"),
                    f("style", "modern", "modern", "classic"));
            case "service" -> Map.ofEntries(
                    f("on_notify", null, "reload", "restart"),
                    f("on_remove", "delete", "delete", "keep"),
                    f("state", null, "running", "stopped"));
            case "template" -> Map.ofEntries(
                    f("on_remove", "delete", "delete", "keep"));
            case "tftp_tree" -> Map.ofEntries(
                    f("files.mode", "0644"),
                    f("on_remove", "delete", "delete", "keep"),
                    f("purge", false));
            default -> null;
        };
    }

    private static Map.Entry<String, KindSchema.Field> f(String field, Object defaultValue, String... words) {
        return Map.entry(field, new KindSchema.Field(defaultValue, List.of(words)));
    }
}
