package dev.presence.redis;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One node's {@link ClusterTransport} to a {@link FakeRedis}. Commands run at once (Redis
 * executes them when they arrive); their replies complete at once too, unless snapshot replies
 * are {@linkplain #holdSnapshotReplies held}. While {@linkplain #cut() cut}, every command fails
 * and messages published meanwhile are lost to this node, as on a dropped connection. Channel
 * messages wait in an inbox until the test delivers them. Not thread-safe (one test thread).
 */
final class FakeTransport implements ClusterTransport {
  private final String nodeId;
  private final FakeRedis redis;
  private final Duration leaseTtl;
  private final Deque<String> inbox = new ArrayDeque<>();
  private final List<Runnable> heldReplies = new ArrayList<>();
  private Events events;
  private boolean up = true;
  private boolean holdSnapshots;
  int commands;

  FakeTransport(String nodeId, FakeRedis redis, Duration leaseTtl) {
    this.nodeId = nodeId;
    this.redis = redis;
    this.leaseTtl = leaseTtl;
  }

  // ------------------------------------------------------------------ test controls

  /** Drops the connection: commands fail, messages are lost, the node is told. */
  void cut() {
    if (up) {
      up = false;
      inbox.clear();
      redis.unsubscribe(this);
      events.connectionLost();
    }
  }

  /** Restores the connection (the subscription comes back with the next prepare). */
  void restore() {
    if (!up) {
      up = true;
      events.connectionRestored();
    }
  }

  boolean isUp() {
    return up;
  }

  void holdSnapshotReplies(boolean hold) {
    this.holdSnapshots = hold;
  }

  /** Completes the held snapshot replies, oldest first. */
  void releaseSnapshotReplies() {
    List<Runnable> now = new ArrayList<>(heldReplies);
    heldReplies.clear();
    now.forEach(Runnable::run);
  }

  int heldSnapshotReplies() {
    return heldReplies.size();
  }

  Deque<String> inbox() {
    return inbox;
  }

  /** Hands the oldest waiting message to the node; returns false if none waited. */
  boolean deliverOne() {
    String raw = inbox.poll();
    if (raw == null) {
      return false;
    }
    events.message(raw);
    return true;
  }

  /** Injects a message as if it came from the channel (a replay, a forgery, a duplicate). */
  void inject(String raw) {
    events.message(raw);
  }

  void deliverLater(String raw) {
    if (up) {
      inbox.add(raw);
    }
  }

  // ------------------------------------------------------------------ ClusterTransport

  @Override
  public void open(Events receiver) {
    this.events = receiver;
  }

  @Override
  public CompletableFuture<Void> prepare() {
    return run(() -> {
      redis.subscribe(this);
      return null;
    });
  }

  @Override
  public CompletableFuture<Long> join(Collection<String> users, long lastSeq, long millis) {
    return run(() -> redis.join(nodeId, users, lastSeq, leaseTtl.toNanos(), millis));
  }

  @Override
  public CompletableFuture<Long> transition(boolean online, String user, long lastSeq,
      long millis) {
    return run(() -> redis.transition(nodeId, online, user, lastSeq, millis));
  }

  @Override
  public CompletableFuture<Long> records(RichCodec.Batch batch, long lastSeq, long millis) {
    return run(() -> redis.records(nodeId, batch, lastSeq, millis));
  }

  @Override
  public CompletableFuture<Long> announce(char op, String payload, long lastSeq, long millis) {
    return run(() -> redis.announce(nodeId, op, payload, lastSeq, millis));
  }

  @Override
  public CompletableFuture<Boolean> renew() {
    return run(() -> redis.renew(nodeId, leaseTtl.toNanos()));
  }

  @Override
  public CompletableFuture<Set<String>> listedNodes() {
    return run(redis::listedNodes);
  }

  @Override
  public CompletableFuture<Claim> claim(String node, long millis) {
    return run(() -> redis.claim(node, millis));
  }

  @Override
  public CompletableFuture<Void> unlist(String node) {
    return run(() -> {
      redis.unlist(node);
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> leave(long millis) {
    return run(() -> {
      redis.leave(nodeId, millis);
      return null;
    });
  }

  @Override
  public CompletableFuture<Snapshot> snapshot(String node) {
    if (!up) {
      return CompletableFuture.failedFuture(new IOException("connection to Redis lost"));
    }
    commands++;
    Snapshot s = redis.snapshot(node); // executed now, as Redis would on arrival
    if (!holdSnapshots) {
      return CompletableFuture.completedFuture(s);
    }
    CompletableFuture<Snapshot> reply = new CompletableFuture<>();
    heldReplies.add(() -> reply.complete(s));
    return reply;
  }

  @Override
  public void close() {
    up = false;
    redis.unsubscribe(this);
  }

  private <T> CompletableFuture<T> run(Supplier<T> command) {
    if (!up) {
      return CompletableFuture.failedFuture(new IOException("connection to Redis lost"));
    }
    commands++;
    return CompletableFuture.completedFuture(command.get());
  }
}
