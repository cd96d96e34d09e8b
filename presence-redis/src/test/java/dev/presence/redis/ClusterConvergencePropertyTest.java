package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.Availability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random schedules of a four-node cluster without Redis: connects and disconnects on any node,
 * messages delivered late, duplicated, reordered or lost with a dropped connection, nodes cut off
 * (shorter or longer than the lease), one node crashing, the store losing its data, and users'
 * availability (busy, away, invisible, available) set from any node, holding the user or not.
 * Whatever happened, once connections are back and a few lease periods have passed, every node's
 * view is the union of the live nodes' local registries (publicly online: invisible users are
 * not), every node agrees on who holds whom and has every other node's record of each user, all
 * nodes holding a user apply the same availability, and every node's events per user alternate
 * and end in the true state.
 */
class ClusterConvergencePropertyTest {
  private static final int NODES = 4;
  private static final int USERS = 6;

  @Property(tries = 300)
  void everyViewConvergesToTheUnionOfTheLocalRegistries(
      @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 1_000_000) Integer> schedule) {
    SimCluster sim = new SimCluster();
    List<SimCluster.SimNode> nodes = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      nodes.add(sim.start("n" + i));
    }
    sim.settle();
    boolean crashedOne = false;
    for (int step : schedule) {
      SimCluster.SimNode n = nodes.get((step / 16) % NODES);
      String user = "u" + (step / 64) % USERS;
      switch (step % 16) {
        case 0, 1, 2 -> {
          if (!n.crashed) {
            n.connect(user);
          }
        }
        case 3, 4 -> {
          if (!n.crashed) {
            n.disconnect(user);
          }
        }
        case 5, 6 -> n.transport.deliverOne();
        case 7 -> sim.settle();
        case 8 -> { // a duplicate of the next message
          String head = n.transport.inbox().peek();
          if (head != null) {
            n.transport.inbox().addFirst(head);
          }
        }
        case 9 -> { // the waiting messages arrive in reverse order
          List<String> waiting = new ArrayList<>(n.transport.inbox());
          Collections.reverse(waiting);
          n.transport.inbox().clear();
          n.transport.inbox().addAll(waiting);
        }
        case 10 -> {
          if (!n.crashed) {
            n.transport.cut();
          }
        }
        case 11 -> {
          if (!n.crashed) {
            n.transport.restore();
          }
        }
        case 12 -> sim.time.advance(Duration.ofMillis(100 + (step / 16) % 1500));
        case 13 -> sim.settleLoop();
        case 14 -> {
          if (!crashedOne && (step / 16) % 7 == 0) {
            crashedOne = true;
            n.crash();
          }
        }
        default -> {
          if ((step / 16) % 11 != 0) {
            if (!n.crashed) { // busy, invisible, available..., from a node with or without the user
              n.setAvailability(user, Availability.values()[(step / 1024) % Availability.values().length]);
            }
          } else {
            sim.redis.flushAll(); // a restart: every connection drops
            for (SimCluster.SimNode m : sim.live()) {
              m.transport.cut();
              m.transport.restore();
            }
          }
        }
      }
    }
    // heal: connections back, then a few lease periods for leases, reapers and orphan timers
    for (SimCluster.SimNode n : sim.live()) {
      n.transport.restore();
    }
    sim.settle();
    sim.advance(SimCluster.LEASE.multipliedBy(3), SimCluster.RENEWAL);

    sim.assertConverged();
    sim.assertEventsConsistent();
    for (SimCluster.SimNode n : sim.live()) {
      assertThat(n.node.status().inSync()).as("%s in sync", n.id).isTrue();
    }
  }
}
