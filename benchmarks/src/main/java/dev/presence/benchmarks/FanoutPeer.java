package dev.presence.benchmarks;

import dev.presence.PresenceFanout;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Scheduler;
import dev.presence.StatusBroadcaster;
import dev.presence.ThreadMembership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A registry with a membership index and one of the fan-out implementations, for the fan-out
 * benchmarks: {@code broadcaster} ({@link StatusBroadcaster}, the code before batching),
 * {@code immediate} ({@link PresenceFanout} with window 0) and {@code batched} (window 1 s, the
 * window ended by hand with {@link #endWindow()}). Outbounds count what they are handed. Not
 * thread-safe (benchmarks drive it from one thread).
 */
final class FanoutPeer implements AutoCloseable {
  /** Events on the calling thread: a benchmark operation includes the fan-out it causes. */
  final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat()
      .eventExecutor(Runnable::run).build();
  final ThreadMembership threads = new ThreadMembership();
  final LongAdder sent = new LongAdder();
  private final List<Runnable> due = new ArrayList<>();
  /** Closes the fan-out under test (a subscription or a PresenceFanout: neither throws). */
  private final Runnable closeFanout;
  /** The fan-out that sends states; null for the broadcaster, which has none. */
  private final PresenceFanout states;

  FanoutPeer(String impl) {
    Scheduler manual = (task, delay) -> {
      synchronized (due) {
        due.add(task);
      }
      return () -> { };
    };
    states = switch (impl) {
      case "broadcaster" -> null;
      case "immediate" -> PresenceFanout.builder(registry, threads).build();
      case "batched" -> PresenceFanout.builder(registry, threads).batchWindow(Duration.ofSeconds(1))
          .scheduler(manual).build();
      default -> throw new IllegalArgumentException("impl must be broadcaster, immediate or batched: " + impl);
    };
    closeFanout = states == null ? StatusBroadcaster.install(registry, threads)::close : states::close;
  }

  /** Connects a user with one counting session. */
  PresenceSession connect(String user) {
    return registry.connect(user, "s", new dev.presence.Outbound() {
      @Override
      public void ping() {}

      @Override
      public void send(String text) {
        sent.add(text.length());
      }

      @Override
      public void close(dev.presence.DisconnectReason reason) {}
    });
  }

  /**
   * Connects a user with one counting session and asks the fan-out for its {@code presence_state}
   * (at once with window 0; at the end of the window when batched), counted like the rest.
   */
  PresenceSession connectWithState(String user) {
    PresenceSession s = connect(user);
    if (states == null) {
      throw new IllegalStateException("the broadcaster sends no states");
    }
    states.sendState(s, text -> sent.add(text.length()));
    return s;
  }

  /** Runs the flush of the current batch window, if one is scheduled. */
  void endWindow() {
    List<Runnable> run;
    synchronized (due) {
      run = new ArrayList<>(due);
      due.clear();
    }
    run.forEach(Runnable::run);
  }

  @Override
  public void close() {
    closeFanout.run();
    registry.close();
  }
}
