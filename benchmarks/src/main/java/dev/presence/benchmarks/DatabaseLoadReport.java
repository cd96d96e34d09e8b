package dev.presence.benchmarks;

import dev.presence.benchmarks.DatabaseLoadReproduction.Design;
import dev.presence.benchmarks.DatabaseLoadReproduction.Settings;
import dev.presence.benchmarks.DatabaseLoadResult.Op;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The markdown report of {@link DatabaseLoadReproduction}: one table of commands per minute per
 * design, then the per-operation summary that docs/benchmarks.md and DESIGN.md quote. Stateless;
 * thread-safe.
 */
final class DatabaseLoadReport {
  private DatabaseLoadReport() {}

  static String report(Settings s, Map<Design, DatabaseLoadResult> results) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Workload: %d users, %d minutes, heartbeat every %d s, "
            + "%d reconnects and %d GET /threads per user, %.0f %% with a second tab, seed %d.%n%n",
        s.users(), s.minutes(), s.heartbeat().toSeconds(), s.reconnectsPerUser(), s.getsPerUser(),
        s.secondTabShare() * 100, s.seed()));
    for (DatabaseLoadResult r : results.values()) {
      out.append("### ").append(r.design.title).append(" — database commands per minute\n\n");
      out.append("| minute | connects | disconnects (last tab) | heartbeats | GETs | writes on connect "
          + "| writes on disconnect | writes on heartbeat | users reads on GET | threads finds (same in all) |\n");
      out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (int m = 0; m < r.minutes; m++) {
        out.append(String.format(Locale.ROOT, "| %d | %d | %d (%d) | %d | %d | %d | %d | %d | %d | %d |%n",
            m + 1, r.events(Op.CONNECT, m), r.events(Op.DISCONNECT, m), r.finalDisconnects[m],
            r.events(Op.HEARTBEAT, m), r.events(Op.GET, m),
            r.writes(Op.CONNECT, m), r.writes(Op.DISCONNECT, m),
            r.writes(Op.HEARTBEAT, m), r.userReads(Op.GET, m), r.threadReads[m]));
      }
      out.append(String.format(Locale.ROOT, "| **total** | %d | %d (%d) | %d | %d | %d | %d | %d | %d | %d |%n",
          r.events(Op.CONNECT), r.events(Op.DISCONNECT), r.finalDisconnects(), r.events(Op.HEARTBEAT),
          r.events(Op.GET), r.writes(Op.CONNECT), r.writes(Op.DISCONNECT), r.writes(Op.HEARTBEAT),
          r.userReads(Op.GET), r.threadReads()));
      out.append(String.format(Locale.ROOT, "%nHeartbeats: %s. Commands not attributed to an "
              + "operation: %d. Sessions evicted by the heartbeat: %d.",
          r.design == Design.OLD ? "one per open session per interval (the client's pong)"
              : "pings sent by the registry's sweep, each answered", r.otherCommands, r.evictions));
      if (r.design != Design.OLD) {
        out.append(String.format(Locale.ROOT, " After the window, closing the library took %d "
            + "users offline and wrote their last-seen times in %d command(s).", r.shutdownUsers,
            r.shutdownCommands));
      }
      out.append("\n\n");
    }
    out.append("### Per operation (measured)\n\n| operation |");
    for (DatabaseLoadResult r : results.values()) {
      out.append(' ').append(r.design.title).append(" |");
    }
    out.append("\n|---|");
    results.values().forEach(r -> out.append("---|"));
    out.append('\n');
    row(out, results, "WebSocket connect", r -> per(r.writes(Op.CONNECT), r.events(Op.CONNECT), "writes"));
    row(out, results, "WebSocket disconnect", r -> per(r.writes(Op.DISCONNECT), r.events(Op.DISCONNECT), "writes")
        + String.format(Locale.ROOT, " (%s per last-tab disconnect)",
            per(r.writes(Op.DISCONNECT), r.finalDisconnects(), "writes")));
    row(out, results, "heartbeat", r -> String.format(Locale.ROOT, "%d writes in %d min (%.1f / min)",
        r.writes(Op.HEARTBEAT), r.minutes, r.writes(Op.HEARTBEAT) / (double) r.minutes));
    row(out, results, "`GET /threads`", r -> per(r.userReads(Op.GET), r.events(Op.GET), "extra reads"));
    row(out, results, "all writes (commands)", r -> String.format(Locale.ROOT, "%d (%.1f / min)",
        r.totalWrites(), r.totalWrites() / (double) r.minutes));
    row(out, results, "documents changed by writes", r -> String.format(Locale.ROOT,
        "%d (%.1f / min)", r.documentsWritten, r.documentsWritten / (double) r.minutes));
    row(out, results, "all commands", r -> String.valueOf(
        r.totalWrites() + r.totalUserReads() + r.threadReads() + r.otherCommands));
    return out.toString();
  }

  private static void row(StringBuilder out, Map<Design, DatabaseLoadResult> results, String name,
      Function<DatabaseLoadResult, String> cell) {
    out.append("| ").append(name).append(" |");
    for (DatabaseLoadResult r : results.values()) {
      out.append(' ').append(cell.apply(r)).append(" |");
    }
    out.append('\n');
  }

  private static String per(long commands, long ops, String what) {
    return ops == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f %s", commands / (double) ops, what);
  }
}
