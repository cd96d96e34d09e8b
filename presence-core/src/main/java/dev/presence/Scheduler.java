package dev.presence;

import dev.presence.internal.ExecutorScheduler;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Runs the library's delayed work: heartbeat sweeps, offline-grace timers and write-behind
 * flushes. Injected so that tests can run due tasks by hand together with a fake {@link Ticker}.
 *
 * <p>Implementations must be thread-safe; {@link #schedule} must never run the task on the
 * calling thread and must never block.
 */
public interface Scheduler extends AutoCloseable {

  /**
   * Schedules {@code task} to run once after {@code delay}.
   *
   * @param task the work to run; exceptions it throws are the scheduler's to log
   * @param delay how long to wait; zero means "as soon as possible"
   * @return a handle that cancels the task if it has not started yet
   * @throws java.util.concurrent.RejectedExecutionException if the scheduler is shut down
   */
  Cancellable schedule(Runnable task, Duration delay);

  /**
   * Releases the scheduler's threads if it owns any. The default does nothing, which suits
   * schedulers that wrap an executor owned by the host.
   */
  @Override
  default void close() {}

  /**
   * Wraps an executor owned by the host; {@link #close()} leaves it running.
   *
   * @param executor the executor to run tasks on
   * @return a scheduler delegating to {@code executor} (thread-safe)
   * @throws NullPointerException if {@code executor} is null
   */
  static Scheduler of(ScheduledExecutorService executor) {
    return new ExecutorScheduler(executor, false);
  }

  /**
   * Creates a scheduler with one daemon thread of its own, stopped by {@link #close()}.
   *
   * @param threadName the name of the thread, shown in thread dumps
   * @return a new scheduler (thread-safe)
   * @throws IllegalArgumentException if {@code threadName} is blank
   */
  static Scheduler daemonThread(String threadName) {
    return ExecutorScheduler.daemon(threadName);
  }

  /** A scheduled task that can be cancelled. Thread-safe. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; does nothing otherwise. Idempotent. */
    void cancel();
  }
}
