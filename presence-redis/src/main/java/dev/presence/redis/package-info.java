/**
 * Cluster-wide presence over Redis: {@link dev.presence.redis.ClusteredPresenceRegistry} keeps
 * each node's sessions local, shares node-level transitions through Redis (one script call per
 * transition), answers lookups from an in-memory replica, and reaps nodes whose lease expired.
 * See {@code docs/clustering.md} for the protocol and its failure behaviour.
 */
package dev.presence.redis;
