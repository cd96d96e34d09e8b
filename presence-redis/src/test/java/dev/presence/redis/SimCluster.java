package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.Availability;
import dev.presence.ClientMessage;
import dev.presence.LastSeenStore;
import dev.presence.PresenceEvent;
import dev.presence.SessionInfo;
import dev.presence.Status;
import dev.presence.StatusText;
import dev.presence.UserPresence;
import dev.presence.test.FakeTime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A whole cluster in one thread: {@link ClusterNode}s over {@link FakeTransport}s to one
 * {@link FakeRedis}, on a hand-run loop and a {@link FakeTime}. Nothing happens until the test
 * runs the loop, delivers messages or advances time, so every interleaving is reproducible.
 * Each node's "local registry" is modelled by a set of users (what a real local registry would
 * report as online), fed to the node as local transitions.
 */
final class SimCluster {
  static final Duration LEASE = Duration.ofSeconds(4);
  static final Duration RENEWAL = Duration.ofSeconds(1);

  final FakeTime time = new FakeTime();
  final FakeRedis redis = new FakeRedis(time);
  final ManualLoop loop = new ManualLoop();
  final Map<String, SimNode> nodes = new LinkedHashMap<>();

  /** A serial executor run by hand: tasks queue until {@link #runAll()}. */
  static final class ManualLoop implements Executor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    /** Runs tasks (and those they queue) until none is left; returns how many ran. */
    int runAll() {
      int n = 0;
      Runnable t;
      while ((t = tasks.poll()) != null) {
        t.run();
        n++;
      }
      return n;
    }
  }

  /** One node, its transport, its model local registry and the events it delivered. */
  final class SimNode {
    final String id;
    final FakeTransport transport;
    final ClusterNode node;
    final Set<String> local = new HashSet<>();
    final List<PresenceEvent> events = new ArrayList<>();
    final LastSeenStore lastSeen = LastSeenStore.inMemory();
    boolean crashed;

    SimNode(String id) {
      this.id = id;
      this.transport = new FakeTransport(id, redis, LEASE);
      EventDelivery delivery = new EventDelivery(loop, "node " + id);
      delivery.add(events::add);
      this.node = new ClusterNode(id, transport, loop, time, time, time.clock(), LEASE, RENEWAL,
          Duration.ofSeconds(3), delivery, () -> Optional.of(lastSeen), model);
    }

    /**
     * The model of a local registry's rich presence: {@link #rich} holds every user with a
     * session here (invisible ones too), {@link #local} the publicly online ones; a change of
     * invisibility is a local transition, as in a real registry.
     */
    final LocalSync.Local model = new LocalSync.Local() {
      @Override
      public Optional<UserPresence> presenceOf(String user) {
        return Optional.ofNullable(rich.get(user));
      }

      @Override
      public boolean isOnline(String user) {
        return local.contains(user);
      }

      @Override
      public boolean setStatus(String user, ClientMessage.SetStatus change) {
        UserPresence p = rich.get(user);
        if (p == null) {
          return false;
        }
        Availability a = change.availability() != null ? change.availability() : p.availability();
        StatusText t = change.setsStatusText() ? change.statusText() : p.statusText();
        rich.put(user, new UserPresence(user, Status.of(true, a, false), a, t, p.lastActive(),
            p.sessions()));
        boolean visible = a != Availability.INVISIBLE;
        if (visible ? local.add(user) : local.remove(user)) {
          node.localTransition(new PresenceEvent(user, visible, time.now()));
        }
        return true;
      }

      @Override
      public void forget(List<String> users) {
        for (String user : users) {
          UserPresence p = rich.get(user);
          if (p != null) {
            rich.put(user, new UserPresence(user, p.status(), p.availability(), null, null,
                p.sessions()));
          }
        }
      }
    };

    /** The model's raw view of its users: what a local registry's presenceOf returns. */
    final Map<String, UserPresence> rich = new HashMap<>();

    /**
     * Connects the user here as the clustered registry does: a user another node has takes the
     * live availability and text (and their stamp) from the latest record.
     */
    void connect(String user) {
      if (rich.containsKey(user)) {
        return;
      }
      Contribution live = null;
      for (Contribution c : node.state().remoteRecords(user).values()) {
        if (live == null || c.stamp().isAfter(live.stamp())) {
          live = c;
        }
      }
      Availability a = live != null ? live.availability() : Availability.AVAILABLE;
      StatusText text = live != null ? live.textAt(time.now()) : null;
      Stamp stamp = live != null ? live.stamp() : new Stamp(0, id);
      node.sync().startUnderStamp(user, stamp, () -> {
        rich.put(user, new UserPresence(user, Status.of(true, a, false), a, text, time.now(),
            List.of(new SessionInfo("s-" + id, Map.of("node", id), time.now()))));
        if (a != Availability.INVISIBLE && local.add(user)) {
          node.localTransition(new PresenceEvent(user, true, time.now()));
        }
        return null;
      });
      node.touched(user);
    }

    void disconnect(String user) {
      if (rich.remove(user) == null) {
        return;
      }
      if (local.remove(user)) {
        node.localTransition(new PresenceEvent(user, false, time.now()));
      }
      node.touched(user);
    }

    /** Sets the user's availability from this node, as the clustered registry does. */
    void setAvailability(String user, Availability a) {
      setStatus(user, new ClientMessage.SetStatus(a, false, null));
    }

    /** Sets or clears the user's status text from this node, as the clustered registry does. */
    void setStatusText(String user, StatusText text) {
      setStatus(user, new ClientMessage.SetStatus(null, true, text));
    }

    /** Forgets users from this node, as the clustered registry does. */
    void forget(List<String> users) {
      Stamp stamp = node.sync().nextStamp();
      model.forget(users);
      node.forget(users, stamp);
    }

    private void setStatus(String user, ClientMessage.SetStatus change) {
      LocalSync sync = node.sync();
      if (rich.containsKey(user)) {
        sync.underStamp(user, sync.nextStamp(), () -> model.setStatus(user, change));
        node.touched(user);
      } else {
        Contribution latest = null;
        for (Contribution c : node.state().remoteRecords(user).values()) {
          if (latest == null || c.stamp().isAfter(latest.stamp())) {
            latest = c;
          }
        }
        if (latest != null) {
          node.route(new RichCodec.Directive(user, sync.nextStamp(), new ClientMessage.SetStatus(
              change.availability() != null ? change.availability() : latest.availability(),
              true, change.setsStatusText() ? change.statusText() : latest.statusText())));
        }
      }
    }

    /** Users online as this node sees the cluster (its own included). */
    Set<String> view() {
      Set<String> out = node.state().heldElsewhere();
      out.addAll(local);
      return out;
    }

    List<Boolean> eventsOf(String user) {
      List<Boolean> out = new ArrayList<>();
      for (PresenceEvent e : events) {
        if (e.userId().equals(user)) {
          out.add(e.online());
        }
      }
      return out;
    }

    /** Who holds whom, as this node believes; runs on the (idle) loop. */
    Map<String, Set<String>> holders() {
      return node.state().holders();
    }

    /** Dies: no goodbye, no more renewals; its connection is gone. */
    void crash() {
      crashed = true;
      transport.cut();
      var unused = node.leave(); // stops its timers; LEAVE cannot reach the store any more
      settleLoop();
    }
  }

  SimNode start(String id) {
    SimNode n = new SimNode(id);
    nodes.put(id, n);
    var unused = n.node.start(List.of());
    settleLoop();
    return n;
  }

  SimNode node(String id) {
    return nodes.get(id);
  }

  List<SimNode> live() {
    return nodes.values().stream().filter(n -> !n.crashed).toList();
  }

  void settleLoop() {
    loop.runAll();
  }

  /** Delivers every waiting message in order and runs the loop, until all is quiet. */
  void settle() {
    boolean busy = true;
    while (busy) {
      busy = loop.runAll() > 0;
      for (SimNode n : nodes.values()) {
        while (n.transport.deliverOne()) {
          busy = true;
        }
      }
      busy |= loop.runAll() > 0;
    }
  }

  /** Advances time in steps of {@code step}, settling after each. */
  void advance(Duration total, Duration step) {
    for (Duration d = Duration.ZERO; d.compareTo(total) < 0; d = d.plus(step)) {
      time.advance(step);
      settle();
    }
  }

  /** The union of the live nodes' local registries: who is really online. */
  Set<String> truth() {
    Set<String> out = new HashSet<>();
    for (SimNode n : live()) {
      out.addAll(n.local);
    }
    return out;
  }

  /** Every live node's view equals the truth, and every node agrees on who holds whom. */
  void assertConverged() {
    Set<String> truth = truth();
    Map<String, Set<String>> expectedHolders = new HashMap<>();
    for (SimNode n : live()) {
      for (String u : n.local) {
        expectedHolders.computeIfAbsent(u, k -> new HashSet<>()).add(n.id);
      }
    }
    Map<String, Set<String>> rawHolders = new HashMap<>();
    Map<String, Set<List<Object>>> chosen = new HashMap<>();
    for (SimNode n : live()) {
      for (UserPresence p : n.rich.values()) {
        rawHolders.computeIfAbsent(p.userId(), k -> new HashSet<>()).add(n.id);
        chosen.computeIfAbsent(p.userId(), k -> new HashSet<>())
            .add(java.util.Arrays.asList(p.availability(), p.statusText()));
      }
    }
    for (Map.Entry<String, Set<List<Object>>> e : chosen.entrySet()) {
      assertThat(e.getValue()).as("availability and text of %s on its nodes", e.getKey())
          .hasSize(1);
    }
    for (SimNode n : live()) {
      for (Map.Entry<String, Set<String>> e : rawHolders.entrySet()) {
        Set<String> others = new HashSet<>(e.getValue());
        others.remove(n.id);
        assertThat(n.node.state().remoteRecords(e.getKey()).keySet())
            .as("records of %s on %s", e.getKey(), n.id).isEqualTo(others);
      }
      assertThat(n.view()).as("view of %s", n.id).isEqualTo(truth);
      assertThat(n.node.state().onlineUserCount()).as("count on %s", n.id)
          .isEqualTo(truth.size());
      assertThat(n.holders()).as("holders on %s", n.id).isEqualTo(expectedHolders);
    }
  }

  /** Per user, events alternate starting with online, and the last one matches the truth. */
  void assertEventsConsistent() {
    Set<String> truth = truth();
    for (SimNode n : live()) {
      Map<String, Boolean> last = new HashMap<>();
      for (PresenceEvent e : n.events) {
        Boolean previous = last.put(e.userId(), e.online());
        assertThat(e.online()).as("event %s on %s after %s", e, n.id, previous)
            .isEqualTo(previous == null || !previous);
      }
      for (Map.Entry<String, Boolean> e : last.entrySet()) {
        assertThat(e.getValue()).as("last event of %s on %s", e.getKey(), n.id)
            .isEqualTo(truth.contains(e.getKey()));
      }
      for (String u : truth) {
        assertThat(last.get(u)).as("%s online event on %s", u, n.id).isTrue();
      }
    }
  }
}
