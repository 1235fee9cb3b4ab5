package dev.mosaic.resource.archive;

import dev.mosaic.resource.KindSchema;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The words of {@code format:} are the schema's enum; each names a format the archive kind knows. */
class ArchiveFormatWordsTest {

    @Test
    void everyFormatWordOfTheSchema_namesAFormat_andEveryFormatHasItsWord() {
        var words = KindSchema.of("archive").words("format");
        assertThat(words).contains("auto", "tgz");
        for (String w : words) {
            assertThat(ArchiveFormat.ofWord(w)).as(w).isNotNull();
        }
        for (ArchiveFormat f : ArchiveFormat.values()) {
            assertThat(words).as("the schema's format words").contains(f.word());
        }
    }
}
