package dev.mosaic.resource.kconfig;

import java.util.Map;

/**
 * A kernel tree's configuration: {@code base} is a make target (defconfig, tinyconfig,
 * allnoconfig, …) or a config file path (relative: next to the playbook; absolute: on the target);
 * {@code options} maps CONFIG_ names to y, m, n, a number or a string. {@code network}: with
 * {@code --root}, make may reach the network (confined, it has none by default).
 */
public record KernelConfigSpec(String dir, String base, Map<String, String> options, String resolver,
                               Map<String, String> env, boolean network) {

    boolean baseIsTarget() {
        return base.matches("[a-z0-9_]*config");
    }

    boolean baseOnTarget() {
        return base.startsWith("/");
    }

    String dotConfig() {
        return dir + "/.config";
    }
}
