package dev.presence.test;

import dev.presence.Scheduler;
import dev.presence.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Hand-driven time for tests: a {@link Ticker}, a {@link Clock} and a {@link Scheduler} that move
 * together only when {@link #advance} is called. Give the same instance to
 * {@code PresenceRegistry.Builder.ticker}, {@code .clock(time.clock())} and {@code .scheduler}; then
 * heartbeats, grace periods, idleness and write-behind flushes happen exactly when the test
 * advances past them, without sleeping.
 *
 * <p>Due tasks run on the thread that calls {@link #advance}, in due-time order (ties in the
 * order scheduled), with the ticker set to each task's due time. {@link #close()} is a no-op: the
 * test owns this scheduler. Thread-safe (one lock, never held while a task runs).
 */
public final class FakeTime implements Ticker, Scheduler {
  private static final Instant DEFAULT_EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private final Instant epoch;
  private long nanos;
  private long sequence;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));

  /** Starts the clock at 2026-01-01T00:00:00Z and the ticker at 0. */
  public FakeTime() {
    this(DEFAULT_EPOCH);
  }

  /**
   * Starts the clock at {@code epoch} and the ticker at 0.
   *
   * @param epoch the wall-clock time at ticker 0
   * @throws NullPointerException if {@code epoch} is null
   */
  public FakeTime(Instant epoch) {
    this.epoch = Objects.requireNonNull(epoch, "epoch");
  }

  /**
   * Returns the nanoseconds advanced since construction.
   *
   * @return the ticker reading
   */
  @Override
  public synchronized long read() {
    return nanos;
  }

  /**
   * Returns a clock that reads {@link #now()} (zone UTC).
   *
   * @return a view of this fake time as a wall clock
   */
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("FakeTime's clock is UTC only");
      }

      @Override
      public Instant instant() {
        return now();
      }
    };
  }

  /**
   * Returns the wall-clock time: the epoch plus the time advanced.
   *
   * @return the current fake instant
   */
  public synchronized Instant now() {
    return epoch.plusNanos(nanos);
  }

  /**
   * Queues {@code task} to run when time has advanced by {@code delay}.
   *
   * @param task what to run
   * @param delay how far from now; zero runs at the next {@link #advance} or {@link #runDue()}
   * @return a handle that removes the task from the queue
   * @throws NullPointerException if an argument is null
   */
  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(delay, "delay");
    Task t = new Task(nanos + delay.toNanos(), sequence++, task);
    queue.add(t);
    return () -> {
      synchronized (FakeTime.this) {
        queue.remove(t);
      }
    };
  }

  /**
   * Moves time forward by {@code d}, running every task that falls due on the way (and any task
   * they schedule that falls due before the target) on the calling thread.
   *
   * @param d how far to move; must not be negative
   * @throws IllegalArgumentException if {@code d} is negative
   */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("advance must not be negative: " + d);
    }
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

  /** Runs the tasks already due, without moving time. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /**
   * Returns how many tasks are queued.
   *
   * @return the number of scheduled, not yet run, not cancelled tasks
   */
  public synchronized int pendingTasks() {
    return queue.size();
  }

  /**
   * Returns how far in the future each queued task is due.
   *
   * @return a snapshot, in no particular order
   */
  public synchronized List<Duration> pendingDelays() {
    List<Duration> out = new ArrayList<>();
    for (Task t : queue) {
      out.add(Duration.ofNanos(t.due - nanos));
    }
    return out;
  }

  private record Task(long due, long seq, Runnable task) {}
}
