package dev.presence.websocket;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one {@link WebSocketPresence}, all daemons:
 *
 * <ul>
 *   <li>{@code presence-websocket-io-*}: the blocking calls of containers without an asynchronous
 *       ping (ping frames and closes on Tomcat), one thread per call in flight, never a queue
 *       behind a stuck peer; {@code ioThreads} are kept, the others stop when idle;
 *   <li>{@code presence-websocket-writer-*}: {@code ioThreads} threads that start the writes a
 *       texts a heartbeat found queued, and the closes of a shutdown; their tasks never block;
 *   <li>{@code presence-websocket-watchdog}: checks every write in flight every {@link
 *       #watchdogTick} of the write timeout; never blocks.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class PresenceThreads implements AutoCloseable {
  private final ThreadPoolExecutor io;
  private final ThreadPoolExecutor writers;
  private final ScheduledThreadPoolExecutor watchdog;

  PresenceThreads(int ioThreads, Duration writeTimeout, Runnable check) {
    AtomicInteger ioCount = new AtomicInteger();
    // One thread per blocking call in flight; each call is bounded by the watchdog's abort and
    // by the container's own send timeout.
    this.io = new ThreadPoolExecutor(ioThreads, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> daemon(r, "presence-websocket-io-" + ioCount.incrementAndGet()));
    io.allowCoreThreadTimeOut(true);
    AtomicInteger writerCount = new AtomicInteger();
    this.writers = new ThreadPoolExecutor(ioThreads, ioThreads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        r -> daemon(r, "presence-websocket-writer-" + writerCount.incrementAndGet()));
    writers.allowCoreThreadTimeOut(true);
    this.watchdog = new ScheduledThreadPoolExecutor(1,
        r -> daemon(r, "presence-websocket-watchdog"));
    watchdog.setRemoveOnCancelPolicy(true);
    long tick = watchdogTick(writeTimeout).toNanos();
    @SuppressWarnings("FutureReturnValueIgnored") // runs until shutdownNow() in close(); the check catches its own failures
    var unused = watchdog.scheduleWithFixedDelay(check, tick, tick, TimeUnit.NANOSECONDS);
  }

  /** A quarter of the write timeout, between 10 ms and 1 s. */
  static Duration watchdogTick(Duration writeTimeout) {
    Duration quarter = writeTimeout.dividedBy(4);
    if (quarter.compareTo(Duration.ofMillis(10)) < 0) {
      return Duration.ofMillis(10);
    }
    return quarter.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : quarter;
  }

  /** The executor of blocking container calls. */
  Executor io() {
    return io;
  }

  /** Runs a short, non-blocking task on a writer thread; false if they are shut down. */
  boolean execute(Runnable task) {
    try {
      writers.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Stops the watchdog, and the other threads after the work already handed to them. */
  @Override
  public void close() {
    watchdog.shutdownNow();
    writers.shutdown();
    io.shutdown();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
