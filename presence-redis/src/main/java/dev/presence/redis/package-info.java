/**
 * Cluster-wide presence over Redis: {@link dev.presence.redis.ClusteredPresenceRegistry} keeps
 * each node's sessions local, shares node-level transitions through Redis (one script call per
 * transition), answers lookups from an in-memory replica, and reaps nodes whose lease expired.
 * See {@code docs/clustering.md} for the protocol and its failure behaviour.
 *
 * <p>Null-marked (JSpecify): no parameter or return value is null unless it is annotated
 * {@code @Nullable}.
 */
@NullMarked
package dev.presence.redis;

import org.jspecify.annotations.NullMarked;
