package dev.presence.benchmarks;

import dev.presence.Scheduler;
import dev.presence.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;

/**
 * Simulated time: a {@link Ticker}, a {@link Clock} and any number of labelled
 * {@link Scheduler}s that move only when {@link #advanceTo} is called. Due tasks run on the
 * calling thread in time order, with the time set to each task's due time; each run goes through
 * the {@linkplain #runTasksWith runner}, which is told the label of the scheduler the task came
 * from, so that a simulation can attribute the work a task does (say, database commands) to it.
 * Thread-safe (one lock); tasks run outside it.
 */
final class ManualTime implements Ticker {
  private final Instant epoch;
  private final PriorityQueue<Task> queue = new PriorityQueue<>(
      (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long nanos;
  private long sequence;
  private BiConsumer<String, Runnable> runner = (label, task) -> task.run();

  ManualTime(Instant epoch) {
    this.epoch = Objects.requireNonNull(epoch, "epoch");
  }

  @Override
  public synchronized long read() {
    return nanos;
  }

  synchronized Instant now() {
    return epoch.plusNanos(nanos);
  }

  synchronized Duration elapsed() {
    return Duration.ofNanos(nanos);
  }

  Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a simulated clock is UTC");
      }

      @Override
      public Instant instant() {
        return now();
      }
    };
  }

  /** Sets how due tasks are run: {@code runner.accept(label, task)} must run {@code task}. */
  synchronized void runTasksWith(BiConsumer<String, Runnable> runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  /** A scheduler whose tasks are labelled {@code label}. */
  Scheduler scheduler(String label) {
    return (task, delay) -> {
      synchronized (ManualTime.this) {
        Task t = new Task(nanos + delay.toNanos(), sequence++, label, task);
        queue.add(t);
        return () -> {
          synchronized (ManualTime.this) {
            queue.remove(t);
          }
        };
      }
    };
  }

  /** Moves time forward to {@code sinceEpoch}, running every task due on the way. */
  void advanceTo(Duration sinceEpoch) {
    long target = sinceEpoch.toNanos();
    for (;;) {
      Task next;
      BiConsumer<String, Runnable> run;
      synchronized (this) {
        if (target < nanos) {
          throw new IllegalArgumentException("time cannot go back: " + sinceEpoch);
        }
        next = queue.peek();
        if (next == null || next.due > target) {
          nanos = target;
          return;
        }
        queue.poll();
        nanos = Math.max(nanos, next.due);
        run = runner;
      }
      run.accept(next.label, next.task);
    }
  }

  private record Task(long due, long seq, String label, Runnable task) {}
}
