package dev.mosaic.resource.copy;

/** A kind using another kind's classes, planted for ArchitectureTest to catch. */
public final class PlantedKindViolation {
    dev.mosaic.resource.file.FileType file;
}
