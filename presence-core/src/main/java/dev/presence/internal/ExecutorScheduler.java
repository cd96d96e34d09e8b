package dev.presence.internal;

import dev.presence.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link Scheduler} over a {@link ScheduledExecutorService}. Thread-safe. */
public final class ExecutorScheduler implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorScheduler.class);

  private final ScheduledExecutorService executor;
  private final boolean owned;

  public ExecutorScheduler(ScheduledExecutorService executor, boolean owned) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.owned = owned;
  }

  public static ExecutorScheduler daemon(String threadName) {
    Objects.requireNonNull(threadName, "threadName");
    if (threadName.isBlank()) {
      throw new IllegalArgumentException("threadName must not be blank: '" + threadName + "'");
    }
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    // Cancelled grace timers would otherwise stay queued until their delay elapses.
    executor.setRemoveOnCancelPolicy(true);
    return new ExecutorScheduler(executor, true);
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Runnable guarded = () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.error("Scheduled presence task failed", e);
      }
    };
    Future<?> f = executor.schedule(guarded, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void close() {
    if (owned) {
      executor.shutdownNow();
    }
  }
}
