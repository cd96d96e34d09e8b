/**
 * Micrometer meters for presence ({@link dev.presence.micrometer.PresenceMeters}) and a
 * last-seen store wrapper that times writes and tracks failures
 * ({@link dev.presence.micrometer.MonitoredLastSeenStore}). Micrometer is a provided dependency;
 * nothing here needs Spring.
 */
package dev.presence.micrometer;
