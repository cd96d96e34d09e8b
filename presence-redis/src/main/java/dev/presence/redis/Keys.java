package dev.presence.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The key layout. All keys of one node share one hash tag, so every script touches one slot of
 * a Redis Cluster. Immutable.
 *
 * <ul>
 *   <li>Standalone: the tag is {@code {prefix:node:id}}; every node publishes on the one channel
 *       {@code prefix:events}.
 *   <li>Sharded (Redis Cluster): each node belongs to one of {@code shards} groups, by a hash of
 *       its id; the tag is {@code {prefix:sK}} and the node publishes on the sharded channel
 *       {@code {prefix:sK}:events} (SPUBLISH), which lives in the same slot as its keys. Every
 *       node subscribes to all {@code shards} channels (SSUBSCRIBE), a fixed set known up front,
 *       so a new node needs no discovery before it is heard.
 * </ul>
 *
 * <p>Only the node directory ({@code prefix:nodes}) is a key of its own.
 */
final class Keys {
  final String prefix;
  final String nodes;
  private final int shards;

  private Keys(String prefix, int shards) {
    this.prefix = prefix;
    this.nodes = prefix + ":nodes";
    this.shards = shards;
  }

  /** The standalone layout (one channel, one tag per node). */
  static Keys standalone(String prefix) {
    return new Keys(prefix, 0);
  }

  /** The Redis Cluster layout with {@code shards} channel groups. */
  static Keys sharded(String prefix, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be positive: " + shards);
    }
    return new Keys(prefix, shards);
  }

  boolean isSharded() {
    return shards > 0;
  }

  /** joined, lease, users, seq, records: the order every script expects. */
  String[] of(String nodeId) {
    String base = shards == 0 ? "{" + prefix + ":node:" + nodeId + "}"
        : tag(shardOf(nodeId)) + ":node:" + nodeId;
    return new String[] {base + ":joined", base + ":lease", base + ":users", base + ":seq",
        base + ":records"};
  }

  /** The channel the node publishes on. */
  String channelOf(String nodeId) {
    return shards == 0 ? prefix + ":events" : tag(shardOf(nodeId)) + ":events";
  }

  /** Every channel a node subscribes to. */
  List<String> channels() {
    if (shards == 0) {
      return List.of(prefix + ":events");
    }
    List<String> out = new ArrayList<>(shards);
    for (int i = 0; i < shards; i++) {
      out.add(tag(i) + ":events");
    }
    return out;
  }

  private String tag(int shard) {
    return "{" + prefix + ":s" + shard + "}";
  }

  private int shardOf(String nodeId) {
    CRC32 crc = new CRC32();
    crc.update(nodeId.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % shards);
  }
}
