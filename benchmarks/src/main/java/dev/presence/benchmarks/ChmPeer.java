package dev.presence.benchmarks;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The naive approach: a {@code ConcurrentHashMap<String, Object>} of user id to connection, i.e.
 * "{@code user_id in clients}". It is the lower bound of what a lookup can cost, and it is
 * <b>wrong</b> for a user with two tabs: the second connection overwrites the first, and closing
 * either one removes the user although the other is still open (see {@code PeersTest}).
 */
final class ChmPeer implements Peer {
  private final ConcurrentHashMap<String, Object> clients = new ConcurrentHashMap<>();
  private String[] users = new String[0];
  private Object[] connections = new Object[0];

  @Override
  public void prepare(String[] users, String[] sessions) {
    this.users = users.clone();
    this.connections = new Object[users.length];
    for (int i = 0; i < users.length; i++) {
      connections[i] = new Object(); // stands for the host's connection object
    }
  }

  @Override
  public void connect(int slot) {
    clients.put(users[slot], connections[slot]);
  }

  @Override
  public void disconnect(int slot) {
    // remove(key, value), the careful variant: it at least does not remove a newer connection.
    clients.remove(users[slot], connections[slot]);
  }

  @Override
  public void populate(String user, String session) {
    clients.put(user, new Object());
  }

  @Override
  public boolean isOnline(String user) {
    return clients.containsKey(user);
  }

  @Override
  public void close() {
    clients.clear();
  }

  @Override
  public String toString() {
    return "chm";
  }
}
