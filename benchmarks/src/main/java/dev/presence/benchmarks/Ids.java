package dev.presence.benchmarks;

import java.util.SplittableRandom;

/**
 * Deterministic ids shaped like the host's: 24 hex digits, as MongoDB ObjectIds print. Users of
 * one size are a prefix of those of a larger size, so runs at different sizes look up alike ids.
 */
final class Ids {
  private Ids() {}

  /** User ids {@code 0..n-1}: unique, 24 hex characters. */
  static String[] users(int n) {
    return ids(n, 0x5f1e_0000_0000_0000L);
  }

  /** Ids guaranteed to be none of {@link #users}: for misses. */
  static String[] absentUsers(int n) {
    return ids(n, 0x6a2b_0000_0000_0000L);
  }

  /** The session id of tab {@code tab} of a user: unique across users, as Spring requires. */
  static String session(String user, int tab) {
    return user + "-s" + tab;
  }

  static String[] sessions(String[] users, int tab) {
    String[] out = new String[users.length];
    for (int i = 0; i < users.length; i++) {
      out[i] = session(users[i], tab);
    }
    return out;
  }

  private static String[] ids(int n, long high) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      long mixed = high ^ ((i * 0x9E37_79B9_7F4A_7C15L) >>> 16);
      char[] c = new char[24];
      hex(c, 0, mixed, 16);
      hex(c, 16, i, 8); // the index makes every id unique
      out[i] = new String(c);
    }
    return out;
  }

  private static void hex(char[] into, int at, long value, int digits) {
    for (int d = digits - 1; d >= 0; d--) {
      into[at + d] = Character.forDigit((int) (value & 0xf), 16);
      value >>>= 4;
    }
  }

  /**
   * Picks {@code count} keys at random (with repetition) from {@code from}: the lookup order of a
   * benchmark, so that lookups spread over the whole population rather than hitting one entry.
   */
  static String[] sample(String[] from, int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] out = new String[count];
    for (int i = 0; i < count; i++) {
      out[i] = from[r.nextInt(from.length)];
    }
    return out;
  }
}
