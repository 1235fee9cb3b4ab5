package dev.mosaic.resource.pxe;

import dev.mosaic.diag.SourcePos;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Boot entries: menu settings, labels, per-node entries, and which loaders to render for.
 * {@code custom} holds the files rendered from the user's templates (relative path to text),
 * which replace the built-in rendering of those files; empty when no template is given.
 */
public record PxeSpec(String root, List<String> loaders, boolean classic, int prompt, int timeout,
                      String defaultLabel, List<Label> labels, List<Node> nodes, Map<String, String> custom) {

    /**
     * A boot label; {@code initrds} are the initramfs files loaded in order (none, one, or several:
     * Linux unpacks concatenated archives in turn, so a later one adds to or overrides an earlier
     * one); {@code pos} is where it was declared, for messages.
     */
    public record Label(String name, String kernel, List<String> initrds, String append, SourcePos pos) {

        public Label {
            initrds = List.copyOf(initrds);
        }

        /** The initrds as PXELINUX's {@code initrd=} takes them, separated by commas. */
        Optional<String> initrdList() {
            return initrds.isEmpty() ? Optional.empty() : Optional.of(String.join(",", initrds));
        }
    }

    /** A machine known by MAC (lower-case, colon-separated), optionally by IP, booting a label. */
    public record Node(String name, String mac, Optional<String> ip, String label, String append, SourcePos pos) {
    }

    Optional<Label> label(String name) {
        return labels.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    PxeSpec withCustom(Map<String, String> files) {
        return new PxeSpec(root, loaders, classic, prompt, timeout, defaultLabel, labels, nodes, files);
    }
}
