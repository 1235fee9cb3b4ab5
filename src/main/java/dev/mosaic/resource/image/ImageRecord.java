package dev.mosaic.resource.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What a {@code node_image} last wrote on a target, kept in the resource's memory: the inputs'
 * digest, the image's digest, its packages ("name version") and what the playbook declared in it
 * (path → a digest of the entry).
 */
record ImageRecord(String inputs, String image, List<String> packages, Map<String, String> declared) {

    private static final ObjectMapper JSON = new ObjectMapper();

    ImageRecord {
        packages = packages == null ? List.of() : packages;
        declared = declared == null ? Map.of() : declared;
    }

    /** The record in {@code json}; a damaged one matches nothing, so the image is written again. */
    static ImageRecord read(String json) {
        try {
            return JSON.readValue(json, ImageRecord.class);
        } catch (IOException e) {
            return new ImageRecord("damaged", "damaged", List.of(), Map.of());
        }
    }

    String json() throws JsonProcessingException {
        return JSON.writeValueAsString(this);
    }
}
