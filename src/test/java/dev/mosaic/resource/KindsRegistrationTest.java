package dev.mosaic.resource;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kinds are registered through {@link java.util.ServiceLoader}: a kind written but not listed in
 * {@code META-INF/services/dev.mosaic.resource.ResourceType} would silently not exist, and a
 * schema without its kind would describe nothing. Both are caught here.
 */
class KindsRegistrationTest {

    private static final Kinds INSTALLED = Kinds.installed();

    @Test
    void everyKindClassUnderResource_isRegisteredThroughTheServiceLoader() {
        List<String> written = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.mosaic.resource").stream()
                .filter(c -> c.isAssignableTo(ResourceType.class) && !c.isInterface()
                        && !c.getModifiers().contains(JavaModifier.ABSTRACT))
                .map(JavaClass::getName).sorted().toList();
        List<String> registered = INSTALLED.all().stream().map(k -> k.getClass().getName()).sorted().toList();
        assertThat(registered).as("kinds registered in META-INF/services").isEqualTo(written);
    }

    @Test
    void everyKindSchema_belongsToARegisteredKind_andEveryKindHasOne() throws IOException {
        List<String> schemas;
        try (Stream<Path> files = Files.list(Path.of("schemas/resources"))) {
            schemas = files.map(p -> p.getFileName().toString().replace(".schema.json", "")).sorted().toList();
        }
        assertThat(List.copyOf(INSTALLED.names())).isEqualTo(schemas);
    }

    @Test
    void installedKinds_areListedByName_whateverTheRegistrationOrder() {
        List<String> order = INSTALLED.all().stream().map(ResourceType::kind).toList();
        assertThat(order).isSorted().hasSize(INSTALLED.names().size());
        assertThat(INSTALLED.find("file")).isPresent();
    }
}
