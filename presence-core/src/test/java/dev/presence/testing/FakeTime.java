package dev.presence.testing;

import dev.presence.Scheduler;
import dev.presence.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Hand-driven time for tests: a {@link Ticker}, a {@link Clock} and a {@link Scheduler} that move
 * together only when {@link #advance} is called. Due tasks run on the calling thread, in time
 * order, with the ticker set to each task's due time. Thread-safe (one lock).
 */
public final class FakeTime implements Ticker, Scheduler {
  private final Instant epoch;
  private long nanos;
  private long sequence;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));

  public FakeTime() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public FakeTime(Instant epoch) {
    this.epoch = epoch;
  }

  @Override
  public synchronized long read() {
    return nanos;
  }

  /** The wall clock: {@code epoch + elapsed}. */
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return now();
      }
    };
  }

  public synchronized Instant now() {
    return epoch.plusNanos(nanos);
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Task t = new Task(nanos + delay.toNanos(), sequence++, task);
    queue.add(t);
    return () -> {
      synchronized (FakeTime.this) {
        queue.remove(t);
      }
    };
  }

  /** Moves time forward, running every task that falls due on the way (and any they schedule). */
  public void advance(Duration d) {
    long target;
    synchronized (this) {
      target = nanos + d.toNanos();
    }
    for (;;) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due > target) {
          nanos = target;
          return;
        }
        queue.poll();
        nanos = Math.max(nanos, next.due);
      }
      next.task.run();
    }
  }

  /** Runs tasks already due without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  public synchronized int pendingTasks() {
    return queue.size();
  }

  public synchronized List<Duration> pendingDelays() {
    List<Duration> out = new ArrayList<>();
    for (Task t : queue) {
      out.add(Duration.ofNanos(t.due - nanos));
    }
    return out;
  }

  private record Task(long due, long seq, Runnable task) {}
}
