package dev.mosaic.property;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Makes every property run reproducible and its failure say how to reproduce it. Each property
 * declares a fixed seed ({@code @Property(seed = …)}), so a CI run is the same run every time;
 * {@code -Dmosaic.props.seed=N} replaces it (to explore, or to replay a seed from a report), and
 * {@code -Dmosaic.props.tries=N} the number of tries. A failure's message starts with the seed and
 * the command that replays it.
 */
public final class Seeded implements AroundPropertyHook {

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String seed = System.getProperty("mosaic.props.seed", "").trim();
        if (!seed.isEmpty()) {
            context.attributes().setSeed(seed);
        }
        String tries = System.getProperty("mosaic.props.tries", "").trim();
        if (!tries.isEmpty()) {
            context.attributes().setTries(Integer.parseInt(tries));
        }
        PropertyExecutionResult result = property.execute();
        if (result.status() != PropertyExecutionResult.Status.FAILED) {
            return result;
        }
        String used = result.seed().orElse(context.attributes().seed().orElse("?"));
        String test = context.containerClass().getSimpleName();
        Throwable cause = result.throwable().orElse(null);
        AssertionError reported = new AssertionError(String.format(
                "%s failed with seed %s; replay: mvn -B test -Dtest='%s' -Dmosaic.props.seed=%s%n%s", context.extendedLabel(),
                used, test, used, cause == null ? "" : cause.getMessage()), cause);
        return result.mapToFailed(reported);
    }
}
