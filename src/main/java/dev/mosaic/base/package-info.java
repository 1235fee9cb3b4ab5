/**
 * The primitives every layer shares, below all of them: they depend on no other Mosaic package.
 */
package dev.mosaic.base;
