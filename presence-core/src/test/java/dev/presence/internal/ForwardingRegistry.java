package dev.presence.internal;

import dev.presence.ClientMessage;
import dev.presence.ConnectOptions;
import dev.presence.LastSeenStore;
import dev.presence.Outbound;
import dev.presence.PresenceListener;
import dev.presence.PresenceRegistry;
import dev.presence.PresenceSession;
import dev.presence.Subscription;
import dev.presence.UserPresence;
import dev.presence.Visibility;
import dev.presence.VisiblePresence;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/** A registry that only forwards: stands for an implementation that relies on the defaults. */
final class ForwardingRegistry implements PresenceRegistry {
  private final PresenceRegistry d;

  ForwardingRegistry(PresenceRegistry d) {
    this.d = d;
  }

  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound) {
    return d.connect(userId, sessionId, outbound);
  }

  @Override
  public boolean isOnline(String userId) {
    return d.isOnline(userId);
  }

  @Override
  public Set<String> onlineAmong(Collection<String> userIds) {
    return d.onlineAmong(userIds);
  }

  @Override
  public int sessionCount(String userId) {
    return d.sessionCount(userId);
  }

  @Override
  public int onlineUserCount() {
    return d.onlineUserCount();
  }

  @Override
  public int totalSessionCount() {
    return d.totalSessionCount();
  }

  @Override
  public Set<String> onlineUsers() {
    return d.onlineUsers();
  }

  @Override
  public int sendToUser(String userId, String text) {
    return d.sendToUser(userId, text);
  }

  @Override
  public Subscription addListener(PresenceListener listener) {
    return d.addListener(listener);
  }

  @Override
  public Optional<LastSeenStore> lastSeenStore() {
    return d.lastSeenStore();
  }

  @Override
  public void close() {
    d.close();
  }

  @Override
  public PresenceSession connect(String userId, String sessionId, Outbound outbound, ConnectOptions options) {
    return d.connect(userId, sessionId, outbound, options);
  }

  @Override
  public boolean setStatus(String userId, ClientMessage.SetStatus change) {
    return d.setStatus(userId, change);
  }

  @Override
  public Optional<UserPresence> presenceOf(String userId) {
    return d.presenceOf(userId);
  }

  @Override
  public VisiblePresence visiblePresence(String viewerId, String subjectId) {
    return d.visiblePresence(viewerId, subjectId);
  }

  @Override
  public Visibility visibility(String viewerId, String subjectId) {
    return d.visibility(viewerId, subjectId);
  }

  @Override
  public Optional<Instant> lastActive(String userId) {
    return d.lastActive(userId);
  }

  @Override
  public void forget(Collection<String> userIds) {
    d.forget(userIds);
  }
}
