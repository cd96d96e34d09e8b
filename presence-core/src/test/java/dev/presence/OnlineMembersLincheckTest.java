package dev.presence;

import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the online-members index together with the membership it follows: a user
 * coming online or going offline racing with joins and leaves of their threads, checked against
 * {@link Model}, in which a user is in a thread's set exactly when they are a member and online.
 * A race that loses or keeps a user wrongly shows as a result no sequential order of the model
 * gives.
 */
@Param(name = "thread", gen = IntGen.class, conf = "0:1")
@Param(name = "user", gen = IntGen.class, conf = "0:1")
public class OnlineMembersLincheckTest {
  private final ThreadMembership threads = new ThreadMembership();
  private final OnlineMembers index = threads.newOnlineIndex();

  @Operation
  public void join(@Param(name = "thread") int thread, @Param(name = "user") int user) {
    threads.join("t" + thread, "u" + user);
  }

  @Operation
  public void leave(@Param(name = "thread") int thread, @Param(name = "user") int user) {
    threads.leave("t" + thread, "u" + user);
  }

  @Operation
  public void removeThread(@Param(name = "thread") int thread) {
    threads.removeThread("t" + thread);
  }

  @Operation
  public void online(@Param(name = "user") int user) {
    index.add("u" + user);
  }

  @Operation
  public void offline(@Param(name = "user") int user) {
    index.removeIf("u" + user, u -> true);
  }

  @Operation
  public boolean indexed(@Param(name = "thread") int thread, @Param(name = "user") int user) {
    return index.of("t" + thread).contains("u" + user);
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions().iterations(30).invocationsPerIteration(500)
        .threads(3).actorsPerThread(3).sequentialSpecification(Model.class).check(getClass());
  }

  @Test
  void stress() {
    new StressOptions().iterations(20).invocationsPerIteration(1_000)
        .threads(3).actorsPerThread(3).sequentialSpecification(Model.class).check(getClass());
  }

  /** What the index must answer: a member who is online, nothing else. */
  public static class Model {
    private final java.util.Set<String> members = new java.util.HashSet<>();
    private final java.util.Set<Integer> online = new java.util.HashSet<>();

    public void join(int thread, int user) {
      members.add(thread + "/" + user);
    }

    public void leave(int thread, int user) {
      members.remove(thread + "/" + user);
    }

    public void removeThread(int thread) {
      members.removeIf(m -> m.startsWith(thread + "/"));
    }

    public void online(int user) {
      online.add(user);
    }

    public void offline(int user) {
      online.remove(user);
    }

    public boolean indexed(int thread, int user) {
      return members.contains(thread + "/" + user) && online.contains(user);
    }
  }
}
