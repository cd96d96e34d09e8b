package dev.presence.benchmarks;

import dev.presence.benchmarks.DatabaseLoadReproduction.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scripted clients of {@link DatabaseLoadReproduction}: what every user does over the
 * window (tabs opening, dropping and reconnecting, a second tab for some, heartbeats while a tab
 * is open, {@code GET /threads} requests), from a seed, the same for every design compared.
 * Stateless; thread-safe.
 */
final class DatabaseLoadScript {
  enum Kind {
    OPEN, CLOSE, HEARTBEAT, GET
  }

  /** One thing a client does at {@code atMillis} from the start of the window. */
  record Event(long atMillis, long seq, Kind kind, String user, String session) {}

  private DatabaseLoadScript() {}

  /** The clients' behaviour, in time order (ties in the order generated). */
  static List<Event> script(Settings s, String[] users) {
    SplittableRandom r = new SplittableRandom(s.seed());
    long end = s.endMillis();
    long beat = s.heartbeat().toMillis();
    List<Event> out = new ArrayList<>();
    long[] seq = {0};
    for (String u : users) {
      long t0 = r.nextLong(60_000);
      // First tab: opens, drops and reconnects a few times (a new session each time).
      long[] drops = new long[s.reconnectsPerUser()];
      for (int k = 0; k < drops.length; k++) {
        drops[k] = t0 + 20_000 + r.nextLong(end - t0 - 40_000);
      }
      Arrays.sort(drops);
      int tab = 1;
      long open = t0;
      for (long drop : drops) {
        if (drop <= open + 5_000) {
          continue;
        }
        addSession(out, seq, u, Ids.session(u, tab++), open, drop, beat, end);
        open = drop + 2_000 + r.nextLong(18_000);
      }
      if (open < end) {
        addSession(out, seq, u, Ids.session(u, tab++), open, Long.MAX_VALUE, beat, end);
      }
      // Some users also open a second tab for a while.
      if (r.nextDouble() < s.secondTabShare()) {
        long a = t0 + 10_000 + r.nextLong(end - t0 - 70_000);
        long b = Math.min(a + 30_000 + r.nextLong(210_000), end - 1_000);
        addSession(out, seq, u, Ids.session(u, 100), a, b, beat, end);
      }
      for (int g = 0; g < s.getsPerUser(); g++) {
        out.add(new Event(t0 + r.nextLong(end - t0), seq[0]++, Kind.GET, u, null));
      }
    }
    out.sort((x, y) -> x.atMillis() != y.atMillis() ? Long.compare(x.atMillis(), y.atMillis())
        : Long.compare(x.seq(), y.seq()));
    return out;
  }

  private static void addSession(List<Event> out, long[] seq, String u, String session, long open,
      long close, long beat, long end) {
    out.add(new Event(open, seq[0]++, Kind.OPEN, u, session));
    for (long t = open + beat; t < Math.min(close, end); t += beat) {
      out.add(new Event(t, seq[0]++, Kind.HEARTBEAT, u, session));
    }
    if (close < end) {
      out.add(new Event(close, seq[0]++, Kind.CLOSE, u, session));
    }
  }
}
