package dev.presence.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Explains a failed convergence or ghost check: counts the clients that are wrong by cause
 * (socket closed, no {@code presence_state} on the current socket, wrong entries), the wrong
 * entries by kind (a co-member online but shown offline, or shown online but gone), the subjects
 * most often wrong with their own client's state, and for a sample of clients what the server
 * says ({@code GET /threads} with the client's token) about the entries they have wrong. Not
 * thread-safe; one run at a time.
 */
final class Diagnosis {
  private final String scenario;
  private final String window;
  private final DemoApi api;
  private final long t0;

  /**
   * @param t0 the time (System.nanoTime) that times in the report are relative to
   */
  Diagnosis(String scenario, String window, DemoApi api, long t0) {
    this.scenario = scenario;
    this.window = window;
    this.api = api;
    this.t0 = t0;
  }

  /**
   * Prints the report for the clients that are wrong against {@code online}.
   *
   * @param what the check that failed
   * @param clients every client
   * @param viewers the clients whose views are checked
   * @param online who is online in truth
   */
  void report(String what, List<LoadClient> clients, List<LoadClient> viewers, Set<String> online) {
    Map<String, LoadClient> byId = new HashMap<>();
    clients.forEach(c -> byId.put(c.userId, c));
    Map<String, Integer> causes = new TreeMap<>();
    Map<String, Integer> missingBySubject = new HashMap<>();
    Map<String, Integer> extraBySubject = new HashMap<>();
    List<LoadClient> wrong = new ArrayList<>();
    long missing = 0;
    long extra = 0;
    for (LoadClient c : viewers) {
      List<List<String>> w = c.wrongEntries(online);
      if (!c.isOpen()) {
        String info = c.closeInfo;
        int after = info.indexOf(" after ");
        causes.merge("socket closed: " + (after > 0 ? info.substring(0, after) : info), 1, Integer::sum);
      } else if (c.stateAt < c.openedAt) {
        causes.merge("open, no presence_state on this socket", 1, Integer::sum);
      } else if (!w.get(0).isEmpty() || !w.get(1).isEmpty()) {
        causes.merge("open, state received, wrong entries", 1, Integer::sum);
      } else {
        continue;
      }
      wrong.add(c);
      missing += w.get(0).size();
      extra += w.get(1).size();
      w.get(0).forEach(s -> missingBySubject.merge(s, 1, Integer::sum));
      w.get(1).forEach(s -> extraBySubject.merge(s, 1, Integer::sum));
    }
    line(what + ": wrong clients by cause", causes.toString());
    line(what + ": wrong entries", missing + " online but shown offline, " + extra + " gone but shown online, in "
        + wrong.size() + " views; " + missingBySubject.size() + " / " + extraBySubject.size() + " distinct subjects");
    long losses = 0;
    long bad = 0;
    for (LoadClient c : clients) {
      losses += c.losses.get();
      bad += c.badJson.get();
    }
    line(what + ": all clients", losses + " sockets lost unexpectedly (and reconnected), " + bad
        + " texts that were not JSON" + (bad > 0 ? " (one: " + firstBad(clients) + ")" : ""));
    subjects("online but shown offline", missingBySubject, byId, online);
    subjects("gone but shown online", extraBySubject, byId, online);
    for (LoadClient c : wrong.subList(0, Math.min(5, wrong.size()))) {
      List<List<String>> w = c.wrongEntries(online);
      line("sample view " + c.userId, describe(c) + "; shown offline: " + truth(c, w.get(0))
          + "; shown online: " + truth(c, w.get(1)));
    }
  }

  private void subjects(String kind, Map<String, Integer> counts, Map<String, LoadClient> byId, Set<String> online) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
        .limit(8)
        .forEach(e -> {
          LoadClient s = byId.get(e.getKey());
          line("subject " + kind + ": " + e.getKey(), "in " + e.getValue() + " views; truth "
              + (online.contains(e.getKey()) ? "online" : "gone") + "; its client: "
              + (s == null ? "?" : describe(s)));
        });
  }

  private String describe(LoadClient c) {
    return String.format("%s, %d opens (%d after a loss), last open %s s, closed %s s %s, %d states (last %d users at %s s), %d messages, %d bad texts",
        c.isOpen() ? "open" : "closed", c.opens.get(), c.losses.get(), rel(c.openedAt), rel(c.closedAt), c.closeInfo,
        c.states.get(), c.stateSize, rel(c.stateAt), c.messages.get(), c.badJson.get());
  }

  /** The entries, each with what the server says now about that member, as seen by {@code c}. */
  private String truth(LoadClient c, List<String> subjects) {
    if (subjects.isEmpty()) {
      return "none";
    }
    Map<String, String> server = new HashMap<>();
    try {
      for (JsonNode t : api.threads(c.token)) {
        for (JsonNode u : t.path("users")) {
          server.put(u.path("id").asText(), u.path("is_online").asText());
        }
      }
    } catch (Exception e) {
      return subjects.size() + " (server not asked: " + e.getMessage() + ")";
    }
    StringBuilder b = new StringBuilder().append(subjects.size()).append(' ');
    for (String s : subjects.subList(0, Math.min(5, subjects.size()))) {
      b.append(s).append("[view ").append(c.shows(s)).append(", server ").append(server.get(s)).append("] ");
    }
    return b.toString().trim();
  }

  /** The last unexpected loss of each client that had one, counted by cause. */
  static String lossCauses(List<LoadClient> clients) {
    Map<String, Integer> causes = new TreeMap<>();
    for (LoadClient c : clients) {
      if (c.losses.get() > 0) {
        String info = c.lastLoss;
        int after = info.indexOf(" after ");
        causes.merge(after > 0 ? info.substring(0, after) : info, 1, Integer::sum);
      }
    }
    return causes.toString();
  }

  /** The full account of up to {@code n} sockets lost unexpectedly (the last loss of each client). */
  static List<String> lossSamples(List<LoadClient> clients, int n) {
    List<String> out = new ArrayList<>();
    for (LoadClient c : clients) {
      if (c.losses.get() > 0 && out.size() < n) {
        out.add(c.userId + ": " + c.lastLoss);
      }
    }
    return out;
  }

  private static String firstBad(List<LoadClient> clients) {
    for (LoadClient c : clients) {
      if (c.lastBadJson != null) {
        return c.lastBadJson;
      }
    }
    return "?";
  }

  private String rel(long nanos) {
    return nanos == 0 ? "-" : String.format("%.2f", (nanos - t0) / 1e9);
  }

  private void line(String what, String value) {
    System.out.println("| " + scenario + " | " + (window.isEmpty() ? "" : "window " + window) + " | " + what + " | "
        + value + " |");
    System.out.flush();
  }
}
