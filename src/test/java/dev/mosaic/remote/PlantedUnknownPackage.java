package dev.mosaic.remote;

/** A package no rule knows, planted for ArchitectureTest to catch. */
public final class PlantedUnknownPackage {
}
