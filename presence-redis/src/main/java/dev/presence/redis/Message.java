package dev.presence.redis;

/**
 * One message on the presence channel: {@code node|seq|op|millis|user}. The node id never
 * contains '|' (the builder rejects it), so the user id is simply the rest and may contain
 * anything. Immutable.
 *
 * @param node the node that published it
 * @param seq that node's sequence number, assigned by Redis inside the publishing script
 * @param op {@code +} user online on the node, {@code -} offline on the node, {@code R} the
 *     node's set was replaced (reload it), {@code D} the node left or was reaped
 * @param millis wall time of the transition on the publishing node (epoch millis)
 * @param user the user, empty for {@code R} and {@code D}
 */
record Message(String node, long seq, char op, long millis, String user) {
  static final char ONLINE = '+';
  static final char OFFLINE = '-';
  static final char REPLACED = 'R';
  static final char DEPARTED = 'D';

  /** Returns the parsed message, or null if {@code raw} is not one of ours. */
  static Message parse(String raw) {
    try {
      int a = raw.indexOf('|');
      int b = raw.indexOf('|', a + 1);
      int c = raw.indexOf('|', b + 1);
      int d = raw.indexOf('|', c + 1);
      if (a <= 0 || b < 0 || c != b + 2 || d < 0) {
        return null;
      }
      char op = raw.charAt(b + 1);
      if (op != ONLINE && op != OFFLINE && op != REPLACED && op != DEPARTED) {
        return null;
      }
      String user = raw.substring(d + 1);
      if ((op == ONLINE || op == OFFLINE) && user.isEmpty()) {
        return null;
      }
      return new Message(raw.substring(0, a), Long.parseLong(raw, a + 1, b, 10), op,
          Long.parseLong(raw, c + 1, d, 10), user);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The wire form; the scripts build the same form in Lua. */
  String format() {
    return node + '|' + seq + '|' + op + '|' + millis + '|' + user;
  }
}
