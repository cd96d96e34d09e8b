package dev.presence.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of this process's threads, grouped by name without its trailing number, so that a
 * stopping demo can say which threads spent a step's CPU (the closing handshakes on the writer
 * threads, the MongoDB driver on the flush thread, the JIT). Not thread-safe; for one stop.
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();
  private final Map<Long, String> names = new HashMap<>();

  /** Takes the starting point: every live thread's CPU time so far. */
  ThreadCpu() {
    sample(start);
  }

  /**
   * Returns the thread groups that spent the most CPU since the previous call (or construction),
   * in ms, e.g. {@code "presence-websocket 310, qtp 120, other 90"}, and starts over. "other" is
   * the process's CPU that no live thread accounts for: the JIT compilers and the GC (hidden from
   * the thread bean) and threads that ended meanwhile.
   *
   * @param most how many groups to name
   * @param processNanos the process's CPU time over the same interval
   */
  String since(int most, long processNanos) {
    Map<Long, Long> now = new HashMap<>();
    sample(now);
    Map<String, Long> byGroup = new HashMap<>();
    now.forEach((id, nanos) -> byGroup.merge(group(names.get(id)), nanos - start.getOrDefault(id, 0L), Long::sum));
    start.clear();
    start.putAll(now);
    long accounted = byGroup.values().stream().mapToLong(Long::longValue).sum();
    String top = byGroup.entrySet().stream()
        .filter(e -> e.getValue() >= 1_000_000)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(most)
        .map(e -> e.getKey() + " " + e.getValue() / 1_000_000)
        .collect(Collectors.joining(", "));
    return (top.isEmpty() ? "" : top + ", ") + "other " + Math.max(0, processNanos - accounted) / 1_000_000;
  }

  private void sample(Map<Long, Long> into) {
    if (!THREADS.isThreadCpuTimeSupported()) {
      return;
    }
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null) {
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          into.put(info.getThreadId(), cpu);
          names.put(info.getThreadId(), info.getThreadName());
        }
      }
    }
  }

  /** "qtp1234-56" → "qtp", "presence-websocket-3" → "presence-websocket". */
  private static String group(String name) {
    String n = name == null ? "?" : name;
    int end = n.length();
    while (end > 0 && (Character.isDigit(n.charAt(end - 1)) || n.charAt(end - 1) == '-')) {
      end--;
    }
    String g = end == 0 ? n : n.substring(0, end);
    int qtp = g.indexOf("qtp");
    return qtp == 0 ? "qtp" : g;
  }
}
