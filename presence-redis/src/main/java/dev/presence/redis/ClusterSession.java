package dev.presence.redis;

import dev.presence.DisconnectReason;
import dev.presence.PresenceSession;
import java.util.Map;

/**
 * A session of the clustered registry: the local registry's session, telling this node when
 * its metadata changes or it ends so that the other nodes learn of it (invisible users'
 * sessions included, which the local registry's events do not cover). Thread-safe as the local
 * session is.
 */
final class ClusterSession implements PresenceSession {
  private final PresenceSession local;
  private final ClusterNode node;

  ClusterSession(PresenceSession local, ClusterNode node) {
    this.local = local;
    this.node = node;
  }

  @Override
  public String userId() {
    return local.userId();
  }

  @Override
  public String sessionId() {
    return local.sessionId();
  }

  @Override
  public void touch() {
    local.touch();
  }

  @Override
  public void activity() {
    local.activity(); // the latest activity travels with the next record (at most a renewal later)
  }

  @Override
  public void metadata(Map<String, String> metadata) {
    local.metadata(metadata);
    node.touched(local.userId());
  }

  @Override
  public Map<String, String> metadata() {
    return local.metadata();
  }

  @Override
  public boolean isOpen() {
    return local.isOpen();
  }

  @Override
  public void close() {
    local.close();
    node.touched(local.userId());
  }

  @Override
  public void close(DisconnectReason reason) {
    local.close(reason);
    node.touched(local.userId());
  }

  @Override
  public String toString() {
    return local.toString();
  }
}
