package dev.presence.redis;

/**
 * The Lua scripts. Each runs atomically on the slot of one node's keys (KEYS = joined, lease,
 * users, seq, records) and publishes at most one sequenced message, so one transition is one round trip
 * and the sequence number orders a node's messages exactly as Redis applied them.
 */
final class Scripts {
  private Scripts() {}

  static final int TRANSITION_ID = 0;
  static final int JOIN_ID = 1;
  static final int RENEW_ID = 2;
  static final int CLAIM_ID = 3;
  static final int LEAVE_ID = 4;
  static final int SNAPSHOT_ID = 5;
  static final int RECORDS_ID = 6;
  static final int ANNOUNCE_ID = 7;

  /**
   * Returns the scripts, in the order of the ids above, publishing with {@code command}:
   * {@code PUBLISH} on a standalone Redis, {@code SPUBLISH} (sharded, Redis 7) on a Redis Cluster,
   * where the node's channel shares the slot of its keys.
   */
  static String[] publishingWith(String command) {
    String[] all = {TRANSITION, JOIN, RENEW, CLAIM, LEAVE, SNAPSHOT, RECORDS, ANNOUNCE};
    for (int i = 0; i < all.length; i++) {
      all[i] = all[i].replace("'PUBLISH'", "'" + command + "'");
    }
    return all;
  }

  /**
   * ARGV: op, user, channel, nodeId, millis, lastSeq. Returns the seq, or -1 if the node is not
   * joined. The seq is above {@code lastSeq} (the highest the node has had back), so it keeps
   * growing even if Redis lost the node's keys (a failover before replication).
   */
  static final String TRANSITION = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
      if ARGV[1] == '+' then redis.call('SADD', KEYS[3], ARGV[2])
      else redis.call('SREM', KEYS[3], ARGV[2]) end
      local seq = redis.call('INCR', KEYS[4])
      local last = tonumber(ARGV[6])
      if seq <= last then seq = last + 1; redis.call('SET', KEYS[4], seq) end
      redis.call('PUBLISH', ARGV[3], ARGV[4] .. '|' .. seq .. '|' .. ARGV[1] .. '|' .. ARGV[5] .. '|' .. ARGV[2])
      return seq
      """;

  /**
   * ARGV: leaseMillis, channel, nodeId, millis, lastSeq, users... Replaces the node's user set,
   * empties its records (the node announces them again after joining), takes the lease and
   * announces the replacement. Returns the seq (above lastSeq).
   */
  static final String JOIN = """
      redis.call('SET', KEYS[1], '1')
      redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
      redis.call('DEL', KEYS[3], KEYS[5])
      local n = #ARGV
      local i = 6
      while i <= n do
        local j = math.min(i + 4999, n)
        redis.call('SADD', KEYS[3], unpack(ARGV, i, j))
        i = j + 1
      end
      local seq = redis.call('INCR', KEYS[4])
      local last = tonumber(ARGV[5])
      if seq <= last then seq = last + 1; redis.call('SET', KEYS[4], seq) end
      redis.call('PUBLISH', ARGV[2], ARGV[3] .. '|' .. seq .. '|R|' .. ARGV[4] .. '|')
      return seq
      """;

  /** ARGV: leaseMillis. Returns 1, or 0 if the node was reaped meanwhile (it must rejoin). */
  static final String RENEW = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
      return 1
      """;

  /**
   * ARGV: channel, nodeId, millis. Claims a node whose lease expired: only the one caller that
   * deletes its joined marker removes its users and announces the departure. Returns {1, users}
   * to that caller, {0} if the node is alive, {-1} if it is not joined (claimed, or left).
   */
  static final String CLAIM = """
      if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
      if redis.call('DEL', KEYS[1]) == 0 then return {-1} end
      local users = redis.call('SMEMBERS', KEYS[3])
      redis.call('DEL', KEYS[3], KEYS[5])
      local seq = redis.call('INCR', KEYS[4])
      redis.call('PUBLISH', ARGV[1], ARGV[2] .. '|' .. seq .. '|D|' .. ARGV[3] .. '|')
      return {1, users}
      """;

  /** ARGV: channel, nodeId, millis. A graceful goodbye. Returns the seq. */
  static final String LEAVE = """
      redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5])
      local seq = redis.call('INCR', KEYS[4])
      redis.call('PUBLISH', ARGV[1], ARGV[2] .. '|' .. seq .. '|D|' .. ARGV[3] .. '|')
      return seq
      """;

  /**
   * Returns {joined (0/1), seq (0 if Redis knows nothing of the node), members, records as a flat
   * user, json, user, json... list}.
   */
  static final String SNAPSHOT = """
      local seq = redis.call('GET', KEYS[4])
      return {redis.call('EXISTS', KEYS[1]), tonumber(seq or '0'), redis.call('SMEMBERS', KEYS[3]),
        redis.call('HGETALL', KEYS[5])}
      """;

  /**
   * ARGV: channel, nodeId, millis, lastSeq, payload, transition (+, - or 0 for none), user, then
   * user, json pairs (an empty json removes the user's record). Writes the node's records of
   * those users, adds or removes the user of the transition, and announces the payload as one
   * {@code U} message. Returns the seq, or -1 if the node is not joined.
   */
  static final String RECORDS = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
      if ARGV[6] == '+' then redis.call('SADD', KEYS[3], ARGV[7])
      elseif ARGV[6] == '-' then redis.call('SREM', KEYS[3], ARGV[7]) end
      local n = #ARGV
      local i = 8
      while i < n do
        if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[5], ARGV[i])
        else redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 1]) end
        i = i + 2
      end
      local seq = redis.call('INCR', KEYS[4])
      local last = tonumber(ARGV[4])
      if seq <= last then seq = last + 1; redis.call('SET', KEYS[4], seq) end
      redis.call('PUBLISH', ARGV[1], ARGV[2] .. '|' .. seq .. '|U|' .. ARGV[3] .. '|' .. ARGV[5])
      return seq
      """;

  /**
   * ARGV: op (S or F), channel, nodeId, millis, lastSeq, payload. Announces a routed change
   * ({@code S}: a status change, {@code F}: an erasure) in the node's sequence; stores nothing
   * (the nodes that apply it store the result in their records). Returns the seq, or -1 if the
   * node is not joined.
   */
  static final String ANNOUNCE = """
      if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
      local seq = redis.call('INCR', KEYS[4])
      local last = tonumber(ARGV[5])
      if seq <= last then seq = last + 1; redis.call('SET', KEYS[4], seq) end
      redis.call('PUBLISH', ARGV[2], ARGV[3] .. '|' .. seq .. '|' .. ARGV[1] .. '|' .. ARGV[4] .. '|' .. ARGV[6])
      return seq
      """;
}
