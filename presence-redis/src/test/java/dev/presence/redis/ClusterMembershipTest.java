package dev.presence.redis;

import static dev.presence.redis.SimCluster.LEASE;
import static dev.presence.redis.SimCluster.RENEWAL;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leases, reaping, rejoining, store restarts and staleness, on the fake clock: the lease is 4 s,
 * renewed every 1 s, and nothing moves unless the test advances time.
 */
class ClusterMembershipTest {
  private static final Duration STEP = Duration.ofMillis(250);
  private SimCluster sim;
  private SimCluster.SimNode a;
  private SimCluster.SimNode b;
  private SimCluster.SimNode c;

  @BeforeEach
  void threeNodes() {
    sim = new SimCluster();
    a = sim.start("a");
    b = sim.start("b");
    c = sim.start("c");
    b.connect("only-on-b");
    b.connect("on-a-and-b");
    a.connect("on-a-and-b");
    sim.settle();
    sim.assertConverged();
  }

  @Test
  void crashedNode_isKeptWhileItsLeaseLives_thenReapedOnceByExactlyOneSurvivor() {
    sim.advance(RENEWAL, STEP); // b's last renewal
    b.crash();

    sim.advance(LEASE.minus(STEP), STEP); // the lease has not expired yet
    for (SimCluster.SimNode n : List.of(a, c)) {
      assertThat(n.view()).as("on %s", n.id).contains("only-on-b");
    }
    assertThat(sim.redis.successfulClaims()).isZero();

    sim.advance(RENEWAL.plus(STEP), STEP); // expired, and every survivor ran a reaper round
    assertThat(sim.redis.successfulClaims()).isEqualTo(1);
    sim.assertConverged();
    for (SimCluster.SimNode n : List.of(a, c)) {
      assertThat(n.eventsOf("only-on-b")).as("on %s", n.id).containsExactly(true, false);
      assertThat(n.eventsOf("on-a-and-b")).as("on %s", n.id).containsExactly(true);
    }
    assertThat(sim.redis.listedNodes()).containsExactlyInAnyOrder("a", "c");
    // the one survivor that claimed b recorded its users' last seen; the other did not
    List<String> users = List.of("only-on-b", "on-a-and-b");
    int recorded = a.lastSeen.readAll(users).size() + c.lastSeen.readAll(users).size();
    assertThat(recorded).isEqualTo(2);
    assertThat(a.node.status().nodesReaped() + c.node.status().nodesReaped()).isEqualTo(1);

    sim.advance(LEASE.multipliedBy(2), RENEWAL); // nothing left to claim, nothing fires again
    assertThat(sim.redis.successfulClaims()).isEqualTo(1);
    assertThat(a.eventsOf("only-on-b")).containsExactly(true, false);
  }

  @Test
  void nodeCutOffLongerThanItsLease_isReaped_thenRejoinsAndItsUsersComeBack() {
    b.transport.cut();
    sim.advance(LEASE.plus(RENEWAL.multipliedBy(2)), STEP);
    for (SimCluster.SimNode n : List.of(a, c)) {
      assertThat(n.view()).as("on %s", n.id).doesNotContain("only-on-b");
    }
    // b keeps its own users and its frozen view of the others meanwhile
    assertThat(b.view()).contains("only-on-b", "on-a-and-b");
    assertThat(b.eventsOf("only-on-b")).containsExactly(true);

    b.transport.restore();
    sim.settle();

    sim.assertConverged();
    for (SimCluster.SimNode n : List.of(a, c)) {
      assertThat(n.eventsOf("only-on-b")).as("on %s", n.id).containsExactly(true, false, true);
      assertThat(n.eventsOf("on-a-and-b")).as("on %s", n.id).containsExactly(true);
    }
    assertThat(b.eventsOf("only-on-b")).containsExactly(true); // b itself never lost the user
  }

  @Test
  void nodeCutOffShorterThanItsLease_firesNothingAnywhere_andCatchesUpOnWhatItMissed() {
    b.transport.cut();
    a.connect("arrived-meanwhile");
    b.connect("arrived-on-b-meanwhile");
    sim.advance(LEASE.minus(RENEWAL), STEP);
    assertThat(b.view()).doesNotContain("arrived-meanwhile");
    assertThat(a.view()).doesNotContain("arrived-on-b-meanwhile");

    b.transport.restore();
    sim.settle();

    sim.assertConverged();
    sim.assertEventsConsistent();
    for (SimCluster.SimNode n : List.of(a, b, c)) {
      assertThat(n.eventsOf("only-on-b")).as("on %s", n.id).containsExactly(true);
    }
  }

  @Test
  void storeLosingItsData_causesNoBlip_andANodeThatNeverRejoinsIsGivenUpAfterOneLease() {
    c.connect("on-c");
    sim.settle();
    c.crash(); // gone, unnoticed: its lease is about to vanish with the store's data anyway
    sim.redis.flushAll();
    for (SimCluster.SimNode n : List.of(a, b)) { // what a restart looks like to the live nodes
      n.transport.cut();
      n.transport.restore();
    }
    sim.settle();
    for (SimCluster.SimNode n : List.of(a, b)) {
      assertThat(n.view()).as("on %s", n.id).contains("on-c"); // c could still be reconnecting
    }

    sim.advance(LEASE.minus(STEP), STEP);
    assertThat(a.view()).contains("on-c");
    sim.advance(STEP.multipliedBy(2), STEP);

    sim.assertConverged();
    for (SimCluster.SimNode n : List.of(a, b)) {
      assertThat(n.eventsOf("on-c")).as("on %s", n.id).containsExactly(true, false);
      assertThat(n.eventsOf("only-on-b")).as("on %s", n.id).containsExactly(true);
      assertThat(n.eventsOf("on-a-and-b")).as("on %s", n.id).containsExactly(true);
    }
  }

  @Test
  void staleness_isZeroWhileInSync_andGrowsFromTheLastContactWhileCutOff() {
    sim.advance(RENEWAL, RENEWAL); // a renewal round: the last contact
    ClusterStatus fresh = b.node.status();
    assertThat(fresh.inSync()).isTrue();
    assertThat(fresh.staleness()).isZero();
    assertThat(fresh.lastSyncedAt()).contains(sim.time.now());
    var lastContact = sim.time.now();
    long resyncsBefore = fresh.resyncs();

    b.transport.cut();
    sim.settle();
    sim.time.advance(Duration.ofMillis(2500)); // no tick reached b's store meanwhile
    sim.settle();

    ClusterStatus stale = b.node.status();
    assertThat(stale.inSync()).isFalse();
    assertThat(stale.staleness()).isEqualTo(Duration.ofMillis(2500));
    assertThat(stale.lastSyncedAt()).contains(lastContact);
    assertThat(a.node.status().staleness()).isZero(); // the others are fine

    b.transport.restore();
    sim.settle();
    assertThat(b.node.status().inSync()).isTrue();
    assertThat(b.node.status().staleness()).isZero();
    // retried at the tick during the cut, and once more when the connection came back
    assertThat(b.node.status().resyncs()).isEqualTo(resyncsBefore + 2);
  }

  @Test
  void leavingGracefully_takesItsUsersOfflineAtOnce_noReaperNeeded() {
    var unused = b.node.leave();
    sim.settle();
    b.crashed = true; // out of the cluster from here on
    sim.assertConverged();
    assertThat(a.eventsOf("only-on-b")).containsExactly(true, false);
    assertThat(sim.redis.listedNodes()).containsExactlyInAnyOrder("a", "c");
    sim.advance(LEASE.multipliedBy(2), RENEWAL);
    assertThat(sim.redis.successfulClaims()).isZero();
  }
}
