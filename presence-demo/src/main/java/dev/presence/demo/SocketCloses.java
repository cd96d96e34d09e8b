package dev.presence.demo;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How the demo's WebSockets ended, counted per close code as the server saw it (1000 normal,
 * 1001 going away, 1006 no close frame, ...), for {@code /stats}: it shows, for instance, whether
 * a browser closes a page's socket itself when it leaves the page. Thread-safe.
 */
final class SocketCloses {
  private final Map<Integer, LongAdder> byCode = new ConcurrentHashMap<>();

  void record(int code) {
    byCode.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  /** A snapshot: close code → count, in code order. */
  Map<Integer, Long> snapshot() {
    Map<Integer, Long> out = new TreeMap<>();
    byCode.forEach((code, n) -> out.put(code, n.sum()));
    return out;
  }
}
