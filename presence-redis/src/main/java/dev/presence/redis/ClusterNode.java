package dev.presence.redis;

import dev.presence.LastSeenStore;
import dev.presence.PresenceEvent;
import dev.presence.Scheduler;
import dev.presence.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's membership of the cluster, free of any transport: it announces this node's
 * node-level transitions, runs the recovery state machine (prepare, join with the full local
 * set, reload every node), renews the lease and has its {@link NodeReaper} reap nodes whose
 * lease expired, and feeds channel messages into its {@link ClusterState}. Everything it does goes through a
 * {@link ClusterTransport}; time comes from the injected {@link Scheduler}, {@link Ticker} and
 * {@link Clock}, so the whole protocol runs deterministically in tests.
 *
 * <p>Threading: all state lives on the loop (one serial executor); the public-to-the-package
 * entry points hop onto it and may be called from any thread. {@link #status()} reads volatile
 * fields.
 */
// Every transport future here ends in a whenComplete* handler that deals with its failure (the
// node marks itself broken and recovers), so the futures those handlers return are not needed.
@SuppressWarnings("FutureReturnValueIgnored")
final class ClusterNode {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  private final String nodeId;
  private final ClusterTransport transport;
  private final Executor loop;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final Clock clock;
  private final Duration renewalInterval;
  private final Duration recoveryTimeout;
  private final NodeReaper reaper;
  private final ClusterState state;
  private final LocalSync sync;
  private final CompletableFuture<Void> firstSync = new CompletableFuture<>();
  private final AtomicLong transitionsPublished = new AtomicLong();
  private final AtomicLong recoveries = new AtomicLong();

  // ------------------------------------------------ loop state
  private boolean healthy;
  private boolean recovering;
  private boolean needsRecover;
  private boolean stopped;
  private long lastSeq;
  private Scheduler.Cancellable tick;

  // ------------------------------------------------ staleness, read from any thread
  /** Whether the node is joined, subscribed and has every node loaded. */
  private volatile boolean inSync;
  /** Ticker reading of the last moment the node was known to be in sync. */
  private volatile long syncedAtNanos;
  private volatile long syncedAtMillis = -1;

  /**
   * @param leaseTtl how long a lease lives; also how long a node the store forgot keeps its users
   * @param recoveryTimeout how long one recovery round may take before it counts as failed
   * @param lastSeen where this node records the users of nodes it reaped
   * @param local the local registry's rich presence, which this node announces and updates
   */
  ClusterNode(String nodeId, ClusterTransport transport, Executor loop, Scheduler scheduler,
      Ticker ticker, Clock clock, Duration leaseTtl, Duration renewalInterval,
      Duration recoveryTimeout, EventDelivery events, Supplier<Optional<LastSeenStore>> lastSeen,
      LocalSync.Local local) {
    this.nodeId = nodeId;
    this.transport = transport;
    this.loop = loop;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.clock = clock;
    this.renewalInterval = renewalInterval;
    this.recoveryTimeout = recoveryTimeout;
    this.reaper = new NodeReaper(nodeId, transport, loop, clock, lastSeen, () -> stopped);
    this.state = new ClusterState(nodeId, transport::snapshot, loop, scheduler, clock, leaseTtl,
        events, this::broken, new ClusterState.RichListener() {
          @Override
          public void recordChanged(String user, Contribution record) {
            sync().remoteRecord(user, record);
          }

          @Override
          public void routed(String node, Message m) {
            sync().routed(node, m);
          }
        });
    this.sync = new LocalSync(nodeId, local, state, transport, this::sendRich, loop, scheduler,
        clock, ticker::read);
    this.syncedAtNanos = ticker.read();
  }

  /** The replica; its lookups may be called from any thread, the rest on the loop only. */
  ClusterState state() {
    return state;
  }

  String nodeId() {
    return nodeId;
  }

  /** This node's side of rich presence; see {@link LocalSync} for which methods any thread may call. */
  LocalSync sync() {
    return sync;
  }

  /**
   * Starts: opens the transport, takes the given users as this node's, starts the lease timer and
   * the first recovery. Any thread.
   *
   * @return completes when the node first is in sync with the cluster
   */
  CompletableFuture<Void> start(Iterable<String> users) {
    transport.open(new ClusterTransport.Events() {
      @Override
      public void message(String raw) {
        submit(() -> onMessage(raw));
      }

      @Override
      public void connectionLost() {
        submit(ClusterNode.this::broken);
      }

      @Override
      public void connectionRestored() {
        submit(ClusterNode.this::reconnected);
      }
    });
    submit(() -> {
      Instant now = clock.instant();
      for (String user : users) {
        state.addOwn(user, now);
      }
      scheduleTick();
      recover();
    });
    return firstSync;
  }

  /** A transition of the local registry. Any thread; never blocks. */
  void localTransition(PresenceEvent e) {
    submit(() -> onLocal(e));
  }

  /** The local state of a user may have changed (rich presence). Any thread; never blocks. */
  void touched(String user) {
    submit(() -> {
      if (!stopped) {
        sync.touched(user);
      }
    });
  }

  /**
   * Sends a status change for a user this node does not hold to the nodes that do. Any thread.
   */
  void route(RichCodec.Directive d) {
    String payload = RichCodec.encode(d);
    submit(() -> {
      long millis = clock.millis();
      sendRich(seq -> transport.announce(Message.DIRECTIVE, payload, seq, millis));
    });
  }

  /**
   * Erases users everywhere: this node's records of them now, other nodes' when they get the
   * announcement. Any thread; the local registry has already forgotten them.
   */
  void forget(List<String> users, Stamp stamp) {
    submit(() -> {
      long millis = clock.millis();
      for (int i = 0; i < users.size(); i += RichCodec.MAX_USERS_PER_MESSAGE) {
        List<String> chunk = users.subList(i, Math.min(users.size(), i + RichCodec.MAX_USERS_PER_MESSAGE));
        sync.forgetHere(chunk, stamp);
        RichCodec.Forget f = sync.forgetting(chunk, stamp);
        if (!f.users().isEmpty()) {
          String payload = RichCodec.encode(f);
          sendRich(seq -> transport.announce(Message.FORGET, payload, seq, millis));
        }
      }
    });
  }

  /**
   * Leaves the cluster gracefully: stops the timers and removes this node's keys. Any thread.
   *
   * @return completes when the store has been told (or telling it failed)
   */
  CompletableFuture<Void> leave() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(() -> {
      stop();
      if (!healthy) {
        done.complete(null);
        return;
      }
      healthy = false;
      transport.leave(clock.millis()).whenComplete((x, ex) -> done.complete(null));
    });
    return done;
  }

  /** Stops the timers and reacting to anything; nothing is sent to the store. Loop only. */
  private void stop() {
    stopped = true;
    inSync = false;
    if (tick != null) {
      tick.cancel();
    }
    sync.stop();
    state.stop();
  }

  /** What the node knows of its own freshness and work. Any thread. */
  ClusterStatus status() {
    boolean synced = inSync;
    long at = syncedAtMillis;
    Duration stale = synced ? Duration.ZERO : Duration.ofNanos(ticker.read() - syncedAtNanos);
    return new ClusterStatus(synced, stale,
        at < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at)),
        recoveries.get(), state.snapshotsLoaded(), transitionsPublished.get(),
        reaper.reapedCount());
  }

  // ================================================================ local transitions

  private void onLocal(PresenceEvent e) {
    if (stopped) {
      return;
    }
    String user = e.userId();
    RichCodec.Change record = null;
    if (e.online() && !state.own().contains(user)) {
      record = sync.changeNow(user); // before the count: listeners hear of the status at once
    }
    boolean changed = e.online() ? state.addOwn(user, e.at()) : state.removeOwn(user, e.at());
    if (changed && !e.online()) {
      record = sync.changeNow(user); // after the count: no update just before the offline
    }
    if (changed && healthy && record != null) {
      // one message: the record, then the transition (receivers apply them in that order, or
      // the other way round for an offline), so every node has the user's availability and
      // text by the time it sees them online
      transitionsPublished.incrementAndGet();
      long millis = e.at().toEpochMilli();
      RichCodec.Batch batch = RichCodec.encodeTransition(e.online(), user, record);
      sendRich(seq -> transport.records(batch, seq, millis));
      return;
    }
    if (changed) {
      publish(e.online(), user, e.at());
    }
    if (record == null) {
      sync.touched(user);
    }
  }

  /** Sends a rich-presence announcement; see {@link LocalSync.Sender}. Loop only. */
  private boolean sendRich(java.util.function.LongFunction<CompletableFuture<Long>> op) {
    if (!healthy || stopped) {
      return false;
    }
    call(() -> op.apply(lastSeq)).whenCompleteAsync((seq, ex) -> {
      if (ex != null) {
        LOG.debug("Node {} could not publish rich presence", nodeId, ex);
        broken();
      } else if (seq < 0) {
        rejoinNow();
      } else {
        sent(seq);
      }
    }, loop);
    return true;
  }

  private void publish(boolean online, String user, Instant at) {
    if (!healthy) {
      return; // the next JOIN carries the full local set
    }
    transitionsPublished.incrementAndGet();
    call(() -> transport.transition(online, user, lastSeq, at.toEpochMilli()))
        .whenCompleteAsync((seq, ex) -> {
          if (ex != null) {
            LOG.debug("Node {} could not publish {} {}", nodeId, online ? "+" : "-", user, ex);
            broken();
          } else if (seq < 0) {
            rejoinNow(); // reaped while we were away: our set is gone
          } else {
            sent(seq);
          }
        }, loop);
  }

  private void sent(long seq) {
    lastSeq = Math.max(lastSeq, seq);
    confirmed();
  }

  // ================================================================ recovery

  private void broken() {
    healthy = false;
    needsRecover = true;
    inSync = false;
  }

  private void reconnected() {
    broken();
    if (!recovering) {
      recover();
    }
  }

  private void rejoinNow() {
    LOG.info("Node {} was reaped by the cluster; rejoining", nodeId);
    reconnected();
  }

  /** Prepare (scripts, subscriptions), JOIN with the full local set, reload every other node. */
  private void recover() {
    if (recovering || stopped) {
      return;
    }
    recovering = true;
    needsRecover = false;
    healthy = false;
    recoveries.incrementAndGet();
    CompletableFuture<Void> round = call(transport::prepare)
        .thenComposeAsync(x -> join(), loop)
        .thenCompose(x -> transport.listedNodes())
        .thenComposeAsync(state::reloadAll, loop);
    Scheduler.Cancellable timeout = scheduler.schedule(() -> round.completeExceptionally(
        new TimeoutException("recovery took longer than " + recoveryTimeout)), recoveryTimeout);
    round.whenCompleteAsync((x, ex) -> {
      timeout.cancel();
      recovering = false;
      if (stopped) {
        return;
      }
      if (ex != null) {
        LOG.debug("Node {} could not resync yet", nodeId, ex);
        broken();
      } else if (needsRecover) {
        recover(); // a reconnect or a failure raced with this round
      } else {
        inSync = true;
        confirmed();
        firstSync.complete(null);
      }
    }, loop);
  }

  private CompletableFuture<Void> join() {
    if (stopped) {
      return CompletableFuture.completedFuture(null);
    }
    // Healthy from the moment the JOIN is sent: later transitions go out after it on the same
    // connection, so the store sees them in this node's order.
    healthy = true;
    return call(() -> transport.join(state.own(), lastSeq, clock.millis()))
        .thenAcceptAsync(seq -> {
          sent(seq);
          sync.rejoined(); // the JOIN emptied this node's records in the store
        }, loop);
  }

  /** Records that the node is in sync now; loop only. */
  private void confirmed() {
    if (inSync) {
      syncedAtNanos = ticker.read();
      syncedAtMillis = clock.millis();
    }
  }

  // ================================================================ lease (reaping: NodeReaper)

  private void scheduleTick() {
    if (!stopped) {
      tick = scheduler.schedule(() -> submit(this::tick), renewalInterval);
    }
  }

  private void tick() {
    try {
      renewAndReap();
    } finally {
      scheduleTick();
    }
  }

  private void renewAndReap() {
    if (stopped) {
      return;
    }
    if (needsRecover) {
      recover();
      return;
    }
    if (!healthy) {
      return;
    }
    call(transport::renew).whenCompleteAsync((ok, ex) -> {
      if (ex != null) {
        broken();
      } else if (!ok) {
        rejoinNow();
      } else {
        confirmed();
      }
    }, loop);
    sync.sweep();
    reaper.reap();
  }

  // ================================================================ the channel

  private void onMessage(String raw) {
    if (stopped) {
      return;
    }
    Message m = Message.parse(raw);
    if (m == null) {
      LOG.warn("Node {} ignores a malformed presence message: {}", nodeId, Message.abbreviate(raw));
      return;
    }
    if (m.node().equals(nodeId)) {
      if (m.op() == Message.DEPARTED && healthy) {
        rejoinNow(); // reaped (a long pause?) although alive
      }
      return;
    }
    confirmed();
    state.accept(m);
  }

  // ================================================================ plumbing

  /** Calls the transport; an implementation that throws instead of failing the future fails it. */
  static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> op) {
    try {
      return op.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void submit(Runnable task) {
    try {
      loop.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          LOG.error("Presence cluster task failed on node {}", nodeId, e);
        }
      });
    } catch (RejectedExecutionException e) {
      // closing: late replies and events have nowhere to go
    }
  }
}
