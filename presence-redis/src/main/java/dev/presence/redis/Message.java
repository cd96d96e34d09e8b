package dev.presence.redis;

/**
 * One message on the presence channel: {@code node|seq|op|millis|user}. The node id never
 * contains '|' (the builder rejects it), so the user id is simply the rest and may contain
 * anything. Immutable.
 *
 * @param node the node that published it
 * @param seq that node's sequence number, assigned by Redis inside the publishing script
 * @param op {@code +} user online on the node, {@code -} offline on the node, {@code R} the
 *     node's set was replaced (reload it), {@code D} the node left or was reaped; rich presence:
 *     {@code U} the node's records of some users changed, {@code S} a routed status change,
 *     {@code F} a routed erasure (see {@link RichCodec} for their JSON payloads)
 * @param millis wall time of the transition on the publishing node (epoch millis)
 * @param user the user for {@code +} and {@code -}; the JSON payload for {@code U}, {@code S}
 *     and {@code F}; empty for {@code R} and {@code D}
 */
record Message(String node, long seq, char op, long millis, String user) {
  static final char ONLINE = '+';
  static final char OFFLINE = '-';
  static final char REPLACED = 'R';
  static final char DEPARTED = 'D';
  static final char RECORDS = 'U';
  static final char DIRECTIVE = 'S';
  static final char FORGET = 'F';
  /** The longest message accepted from the channel; longer ones are dropped with a warning. */
  static final int MAX_CHARS = 256 * 1024;

  /** Returns the parsed message, or null if {@code raw} is not one of ours. */
  static Message parse(String raw) {
    if (raw == null || raw.length() > MAX_CHARS) {
      return null;
    }
    try {
      int a = raw.indexOf('|');
      int b = raw.indexOf('|', a + 1);
      int c = raw.indexOf('|', b + 1);
      int d = raw.indexOf('|', c + 1);
      if (a <= 0 || b < 0 || c != b + 2 || d < 0) {
        return null;
      }
      char op = raw.charAt(b + 1);
      if (op != ONLINE && op != OFFLINE && op != REPLACED && op != DEPARTED && op != RECORDS
          && op != DIRECTIVE && op != FORGET) {
        return null;
      }
      String user = raw.substring(d + 1);
      if (op != REPLACED && op != DEPARTED && user.isEmpty()) {
        return null;
      }
      return new Message(raw.substring(0, a), Long.parseLong(raw, a + 1, b, 10), op,
          Long.parseLong(raw, c + 1, d, 10), user);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Whether this message carries a JSON payload rather than a user id. */
  boolean isRich() {
    return op == RECORDS || op == DIRECTIVE || op == FORGET;
  }

  /** A short form for logs: long payloads cut. */
  static String abbreviate(String raw) {
    return raw.length() <= 200 ? raw : raw.substring(0, 200) + "... (" + raw.length() + " chars)";
  }

  /** The wire form; the scripts build the same form in Lua. */
  String format() {
    return node + '|' + seq + '|' + op + '|' + millis + '|' + user;
  }
}
