package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import dev.presence.demo.DemoClient.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invitations and acceptances racing each other over real HTTP against the running demo: each is
 * one conditional update in MongoDB, so no member is ever added twice, no invitation outlives the
 * membership it led to, and every co-member hears of a join exactly once. Also: an invitation or
 * acceptance costs the same few database commands in a thread of 2 members as in one of 5,000.
 */
@ExtendWith(ErrorLogGuard.class)
class InviteAcceptRaceTest {
  private static final int ROUNDS = 120;
  private static final int BIG_ROOM = 5_000;
  @RegisterExtension
  static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
  private static MongoClient mongo;
  private static MongoCollection<Document> threads;
  private static DemoServer server;
  private static DemoClient client;

  @BeforeAll
  static void start() throws Exception {
    String uri = MONGO.uri("race");
    mongo = MongoClients.create(uri);
    threads = mongo.getDatabase("race").getCollection("threads");
    server = DemoServer.start(DemoOptions.parse("--port", "0", "--mongo-uri", uri));
    client = new DemoClient(server.uri());
  }

  @AfterAll
  static void stop() {
    server.close();
    mongo.close();
  }

  @Test
  void racingInvitesAndAccepts_neverDuplicateAMember_andEveryCoMemberHearsOfEachJoinOnce()
      throws Exception {
    String alice = "race-alice";
    String bob = "race-bob";
    String dave = "race-dave";
    String ta = client.login(alice);
    String tb = client.login(bob);
    String td = client.login(dave);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<String> ids = new ArrayList<>();
    Map<String, Integer> accepted = new HashMap<>();
    try (TestSocket as = client.connect(ta); TestSocket bs = client.connect(tb);
        TestSocket ds = client.connect(td)) {
      for (int round = 0; round < ROUNDS; round++) {
        String thread = client.createThread(ta, "Race " + round, bob);
        ids.add(thread);
        boolean preInvited = round % 2 == 0;
        if (preInvited) {
          assertThat(invite(ta, thread, dave).status()).isEqualTo(201);
        }
        // alice and bob invite dave while dave accepts twice, all released at once
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> invites = List.of(
            pool.submit(() -> { go.await(); return invite(ta, thread, dave); }),
            pool.submit(() -> { go.await(); return invite(tb, thread, dave); }));
        List<Future<Reply>> accepts = List.of(
            pool.submit(() -> { go.await(); return accept(td, thread); }),
            pool.submit(() -> { go.await(); return accept(td, thread); }));
        go.countDown();
        int ok = 0;
        for (Future<Reply> f : accepts) {
          Reply r = f.get(20, TimeUnit.SECONDS);
          assertThat(r.status()).as("accept in round %d: %s", round, r).isIn(200, 404, 409);
          ok += r.status() == 200 ? 1 : 0;
        }
        for (Future<Reply> f : invites) {
          Reply r = f.get(20, TimeUnit.SECONDS);
          assertThat(r.status()).as("invite in round %d: %s", round, r).isIn(201, 409);
        }
        assertThat(ok).as("successful accepts in round %d", round).isLessThanOrEqualTo(1);
        if (preInvited) {
          assertThat(ok).as("a pending invitation is accepted once in round %d", round).isEqualTo(1);
        }
        if (ok == 0) {
          // both accepts came before any invitation: the invitation is pending now
          assertThat(accept(td, thread).status()).as("late accept, round %d", round).isEqualTo(200);
        }
        accepted.merge(thread, 1, Integer::sum);
      }
      // Every join is announced before its HTTP answer; wait for the sockets to have them all.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> joinNotes(as, null) + joinNotes(bs, null) >= 2 * ROUNDS);
      for (String thread : ids) {
        Document t = threads.find(Filters.eq("id", thread)).first();
        List<String> members = DemoStore.usersOf(t).stream().map(u -> u.getString("id")).toList();
        assertThat(members).as("members of %s", thread).doesNotHaveDuplicates()
            .containsExactlyInAnyOrder(alice, bob, dave);
        assertThat(DemoStore.invitationsOf(t)).as("invitations left in %s", thread).isEmpty();
        // alice and bob each hear of dave's join once: as its inviter or as a member
        assertThat(joinNotes(as, thread)).as("alice's notes of %s", thread).isEqualTo(1);
        assertThat(joinNotes(bs, thread)).as("bob's notes of %s", thread).isEqualTo(1);
      }
      assertThat(client.get("/invitations", td).body()).isEmpty();
      // each thread's one invitation was announced to dave once, however the invites raced
      for (String thread : ids) {
        assertThat(ds.ofType("invitation").stream()
            .filter(m -> thread.equals(m.path("thread_id").asText())).count())
            .as("invitations of %s announced", thread).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @SuppressWarnings("JavaUtilDate") // the MongoDB driver stores BSON dates as java.util.Date
  void inviteAndAccept_costTheSameFewCommands_inARoomOf5000_asInARoomOf2() {
    // A large room written straight to the database (building it through the API is what this
    // makes cheap, but takes longer than a unit test should); removed again at the end.
    List<Document> members = new ArrayList<>();
    Date now = new Date();
    for (int i = 0; i < BIG_ROOM; i++) {
      String id = i == 0 ? "owner" : "member" + i;
      members.add(new Document("id", id).append("username", id).append("name", id)
          .append("joined_at", now));
    }
    threads.insertOne(new Document("id", "big").append("name", "Big room")
        .append("created_by", "owner").append("created_at", now)
        .append("users", members).append("invitations", new ArrayList<Document>()));
    try {
      measureSmallAndBig();
    } finally {
      threads.deleteOne(Filters.eq("id", "big"));
    }
  }

  private static void measureSmallAndBig() {
    String owner = client.login("owner");
    String small = client.createThread(owner, "Small room");
    client.login("joiner-small");
    client.login("joiner-big");
    client.login("stats-reader");
    long[] smallCost = inviteAndAcceptCost(owner, small, "joiner-small");
    long[] bigCost = inviteAndAcceptCost(owner, "big", "joiner-big");
    // [threads reads, threads writes, users reads, users writes] for invite, then for accept
    assertThat(bigCost).as("big room vs small room").isEqualTo(smallCost);
    assertThat(smallCost).containsExactly(
        0, 1, 0, 0, // invite: one conditional findAndModify on threads
        0, 1, 2, 0); // accept: the joiner's user entry, one findAndModify, one last-seen lookup
    assertThat(threads.find(Filters.eq("id", "big")).first().getList("users", Document.class))
        .hasSize(BIG_ROOM + 1);
  }

  /** Runs an invite and an accept, returning the /stats deltas of each. */
  private static long[] inviteAndAcceptCost(String ownerToken, String thread, String joiner) {
    String tj = client.login(joiner);
    long[] before = counters();
    assertThat(invite(ownerToken, thread, joiner).status()).isEqualTo(201);
    long[] afterInvite = counters();
    Reply r = accept(tj, thread);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().toString()).as("the answer does not grow with the room").hasSizeLessThan(400);
    long[] afterAccept = counters();
    long[] out = new long[8];
    for (int i = 0; i < 4; i++) {
      out[i] = afterInvite[i] - before[i];
      out[4 + i] = afterAccept[i] - afterInvite[i];
    }
    return out;
  }

  private static long[] counters() {
    return new long[] {client.stat("threads", "reads"), client.stat("threads", "writes"),
        client.stat("users", "reads"), client.stat("users", "writes")};
  }

  private static Reply invite(String token, String thread, String userId) {
    return client.post("/threads/" + thread + "/invitations", token,
        "{\"user_id\":\"" + userId + "\"}");
  }

  private static Reply accept(String token, String thread) {
    return client.post("/threads/" + thread + "/invitations/accept", token, null);
  }

  /** Counts member_joined and invitation_accepted messages (of one thread, or all if null). */
  private static int joinNotes(TestSocket s, String thread) {
    int n = 0;
    for (JsonNode m : s.messages) {
      String type = m.path("type").asText();
      if ((type.equals("member_joined") || type.equals("invitation_accepted"))
          && (thread == null || thread.equals(m.path("thread_id").asText()))) {
        n++;
      }
    }
    return n;
  }
}
