package dev.mosaic.resource.build;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Commands run with {@code sh -e -c} in {@code dir}, one after the other. {@code inputs} and
 * {@code outputs} are absolute target paths (files or trees). {@code share}: outputs may be
 * copied from (and kept in) the control machine's build cache instead of building again.
 */
public record BuildSpec(String dir, List<String> commands, Map<String, String> env, Optional<Integer> jobs,
                        List<String> inputs, List<String> outputs, List<String> toolchain,
                        Optional<Long> timeoutSeconds, Optional<String> stdin, boolean share,
                        boolean network) {
}
