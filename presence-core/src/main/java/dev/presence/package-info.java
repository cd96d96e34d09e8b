/**
 * Presence core API: the registry, its events and settings, the protocol and the fan-out.
 * Everything here is non-null unless marked {@link org.jspecify.annotations.Nullable} (JSpecify;
 * the annotations are compile-time only, no runtime dependency).
 */
@NullMarked
package dev.presence;

import org.jspecify.annotations.NullMarked;
