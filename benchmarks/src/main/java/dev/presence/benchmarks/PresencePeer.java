package dev.presence.benchmarks;

import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;

/**
 * Ours: the single-node {@link PresenceRegistry}, heartbeat off (lookups and churn do not involve
 * it; {@code HeartbeatSweepBenchmark} measures the sweep), no listener, no last-seen store.
 */
final class PresencePeer implements Peer {
  private final PresenceRegistry registry = PresenceRegistry.builder().withoutHeartbeat().build();
  private String[] users = new String[0];
  private String[] sessions = new String[0];
  private PresenceSession[] open = new PresenceSession[0];

  @Override
  public void prepare(String[] users, String[] sessions) {
    this.users = users.clone();
    this.sessions = sessions.clone();
    this.open = new PresenceSession[users.length];
  }

  @Override
  public void connect(int slot) {
    open[slot] = registry.connect(users[slot], sessions[slot], NoOpOutbound.INSTANCE);
  }

  @Override
  public void disconnect(int slot) {
    open[slot].close();
  }

  @Override
  public void populate(String user, String session) {
    registry.connect(user, session, NoOpOutbound.INSTANCE);
  }

  @Override
  public boolean isOnline(String user) {
    return registry.isOnline(user);
  }

  PresenceRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    registry.close();
  }

  @Override
  public String toString() {
    return "presence";
  }
}
