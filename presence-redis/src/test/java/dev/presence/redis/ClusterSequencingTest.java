package dev.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sequencing and snapshot merging of the replica, without Redis: every message, reply and timer
 * of two nodes is delivered by hand, so each interleaving below happens exactly as written.
 */
class ClusterSequencingTest {
  private SimCluster sim;
  private SimCluster.SimNode a;
  private SimCluster.SimNode b;

  @BeforeEach
  void twoNodesInSync() {
    sim = new SimCluster();
    a = sim.start("a");
    b = sim.start("b");
    sim.settle();
    a.connect("u1");
    sim.settle();
    assertThat(b.view()).containsExactly("u1");
    assertThat(b.eventsOf("u1")).containsExactly(true);
  }

  private long seqOfA() {
    return sim.redis.snapshot("a").seq();
  }

  private long snapshotsOfB() {
    return b.node.status().snapshotsLoaded();
  }

  @Test
  void duplicateOfTheLastMessage_isDropped_withoutAReload() {
    long loads = snapshotsOfB();
    b.transport.inject(new Message("a", seqOfA(), Message.ONLINE, 0, "u1").format());
    b.transport.inject(new Message("a", seqOfA(), Message.OFFLINE, 0, "u1").format());
    b.transport.inject(new Message("a", 1, Message.OFFLINE, 0, "u1").format()); // a replay
    sim.settle();

    assertThat(b.view()).containsExactly("u1");
    assertThat(b.eventsOf("u1")).containsExactly(true);
    assertThat(snapshotsOfB()).isEqualTo(loads);
  }

  @Test
  void messageAfterAGap_reloadsThatNode_andTheStoreWins() {
    long loads = snapshotsOfB();
    // claims u1 left a, skipping numbers: b must not believe it but ask the store
    b.transport.inject(new Message("a", seqOfA() + 5, Message.OFFLINE, 0, "u1").format());
    sim.settle();

    assertThat(snapshotsOfB()).isEqualTo(loads + 1);
    assertThat(b.view()).containsExactly("u1");
    assertThat(b.eventsOf("u1")).containsExactly(true);
    // and the stream goes on from the snapshot's number
    a.connect("u2");
    a.disconnect("u1");
    sim.settle();
    assertThat(b.view()).containsExactly("u2");
    assertThat(b.eventsOf("u1")).containsExactly(true, false);
    assertThat(snapshotsOfB()).isEqualTo(loads + 1);
  }

  @Test
  void messagesArrivingOutOfOrder_areSortedOutByOneReload_eachEventOnce() {
    a.connect("u2");
    a.connect("u3");
    a.disconnect("u1");
    sim.settleLoop();
    List<String> inbox = new ArrayList<>(b.transport.inbox());
    assertThat(inbox).hasSize(3);
    b.transport.inbox().clear();
    Collections.reverse(inbox);
    long loads = snapshotsOfB();

    inbox.forEach(b.transport::inject);
    sim.settle();

    assertThat(b.view()).containsExactlyInAnyOrder("u2", "u3");
    assertThat(b.eventsOf("u1")).containsExactly(true, false);
    assertThat(b.eventsOf("u2")).containsExactly(true);
    assertThat(b.eventsOf("u3")).containsExactly(true);
    assertThat(snapshotsOfB()).isEqualTo(loads + 1);
  }

  @Test
  void snapshotOlderThanMessagesStreamingMeanwhile_appliesThemAfterIt() {
    b.transport.holdSnapshotReplies(true);
    b.transport.inject(new Message("a", seqOfA() + 9, Message.ONLINE, 0, "ghost").format());
    sim.settle(); // b asked for a's snapshot; the store answered {u1} but the reply is on its way
    assertThat(b.transport.heldSnapshotReplies()).isEqualTo(1);

    a.connect("u2");
    a.disconnect("u1");
    sim.settle(); // newer than the snapshot: b buffers them, views nothing yet
    assertThat(b.view()).containsExactly("u1");
    assertThat(b.eventsOf("u2")).isEmpty();

    b.transport.releaseSnapshotReplies();
    sim.settle();

    assertThat(b.view()).containsExactly("u2");
    assertThat(b.eventsOf("u1")).containsExactly(true, false);
    assertThat(b.eventsOf("u2")).containsExactly(true);
    assertThat(b.eventsOf("ghost")).isEmpty();
  }

  @Test
  void snapshotNewerThanBufferedMessages_dropsThem_noDuplicateEvent() {
    a.connect("u2");
    a.disconnect("u1");
    sim.settleLoop(); // both messages wait in b's inbox, not yet delivered
    b.transport.holdSnapshotReplies(true);
    b.transport.inject(new Message("a", seqOfA() + 9, Message.ONLINE, 0, "ghost").format());
    sim.settleLoop(); // the snapshot is taken now: it already has u2 and not u1
    sim.settle(); // the two older messages arrive while the reply is held: buffered

    b.transport.releaseSnapshotReplies();
    sim.settle();

    assertThat(b.view()).containsExactly("u2");
    assertThat(b.eventsOf("u1")).containsExactly(true, false);
    assertThat(b.eventsOf("u2")).containsExactly(true);
  }

  @Test
  void supersededSnapshotReply_isIgnored_theNewerOneWins() {
    b.transport.holdSnapshotReplies(true);
    b.transport.inject(new Message("a", seqOfA() + 9, Message.ONLINE, 0, "ghost").format());
    sim.settleLoop(); // first snapshot: {u1}
    a.disconnect("u1");
    a.connect("u2");
    sim.settleLoop();
    b.transport.inbox().clear(); // lost: only a reload can tell b
    b.transport.inject(new Message("a", seqOfA() + 9, Message.REPLACED, 0, "").format());
    sim.settleLoop(); // still loading: buffered, no second request yet
    assertThat(b.transport.heldSnapshotReplies()).isEqualTo(1);

    b.transport.releaseSnapshotReplies();
    sim.settle();
    // the first reply is older than the notice that arrived meanwhile: b asks again
    assertThat(b.transport.heldSnapshotReplies()).isEqualTo(1);
    assertThat(b.view()).containsExactly("u1");
    b.transport.releaseSnapshotReplies();
    sim.settle();

    assertThat(b.view()).containsExactly("u2");
    assertThat(b.eventsOf("u1")).containsExactly(true, false);
    assertThat(b.eventsOf("u2")).containsExactly(true);
  }

  @Test
  void malformedAndForeignMessages_changeNothing() {
    for (String raw : List.of("garbage", "x|notanumber|+|0|u9", "x|1|?|0|u9", "x|1|+|0|", "")) {
      b.transport.inject(raw);
    }
    sim.settle();
    assertThat(b.view()).containsExactly("u1");
    assertThat(b.eventsOf("u9")).isEmpty();
  }

  @Test
  void malformedRichPayloadsInSequence_areRejectedAndSkipped_withoutAReload() {
    long loads = snapshotsOfB();
    long seq = seqOfA();
    List<String> bad = List.of(
        "{not json",
        "{\"r\":[{\"u\":\"u9\",\"c\":{\"v\":1,\"o\":\"a\",\"a\":\"sleepy\",\"s\":[]}}],\"on\":\"u9\"}",
        "{\"r\":[{\"u\":\"u9\",\"c\":{\"v\":1,\"o\":\"a\",\"a\":\"busy\",\"t\":\"\\u202Eevil\",\"s\":[]}}]}",
        "[" .repeat(100) + "]".repeat(100));
    for (String payload : bad) {
      b.transport.inject(new Message("a", ++seq, Message.RECORDS, 0, payload).format());
    }
    b.transport.inject(new Message("a", ++seq, Message.DIRECTIVE, 0, "{\"u\":\"u1\"}").format());
    b.transport.inject(new Message("a", ++seq, Message.FORGET, 0, "{\"u\":\"u1\"}").format());
    sim.settle();
    assertThat(b.node.state().rejected()).isEqualTo(bad.size() + 2);
    assertThat(b.eventsOf("u9")).isEmpty();
    assertThat(b.view()).containsExactly("u1");

    // the numbers were used up in order: the next real message applies without a reload
    sim.redis.records("a", new RichCodec.Batch("{\"r\":[]}", java.util.Map.of()), seq, 0);
    a.connect("u2");
    sim.settle();
    assertThat(b.view()).containsExactlyInAnyOrder("u1", "u2");
    assertThat(snapshotsOfB()).isEqualTo(loads);
  }

  @Test
  void ownMessages_areNotCountedTwice() {
    a.transport.inject(new Message("a", seqOfA() + 1, Message.ONLINE, 0, "u7").format());
    sim.settle();
    assertThat(a.view()).containsExactly("u1");
    assertThat(a.holders()).containsOnlyKeys("u1");
  }
}
