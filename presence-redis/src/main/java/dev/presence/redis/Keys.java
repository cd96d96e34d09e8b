package dev.presence.redis;

/**
 * The key layout. Every key of one node shares the hash tag {@code {prefix:node:id}}, so the
 * scripts that touch several of them are legal on Redis Cluster, and different nodes' keys
 * spread over the slots. Only the node directory is a single key. Immutable.
 */
final class Keys {
  final String prefix;
  final String nodes;
  final String channel;

  Keys(String prefix) {
    this.prefix = prefix;
    this.nodes = prefix + ":nodes";
    this.channel = prefix + ":events";
  }

  /** joined, lease, users, seq: the order every script expects. */
  String[] of(String nodeId) {
    String tag = "{" + prefix + ":node:" + nodeId + "}";
    return new String[] {tag + ":joined", tag + ":lease", tag + ":users", tag + ":seq"};
  }
}
