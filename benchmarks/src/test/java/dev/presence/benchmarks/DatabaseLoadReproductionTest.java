package dev.presence.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presence.benchmarks.DatabaseLoadReproduction.Design;
import dev.presence.benchmarks.DatabaseLoadReproduction.Settings;
import dev.presence.benchmarks.DatabaseLoadResult.Op;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The database-load claims, checked by counting the driver's commands on a smaller workload than
 * the documented run (same code path): these are counts, not timings.
 */
class DatabaseLoadReproductionTest {
  private static final Settings SETTINGS = new Settings(40, 5, Duration.ofSeconds(60), 3, 5, 0.3, 7);
  private static final Map<Design, DatabaseLoadResult> RESULTS = new EnumMap<>(Design.class);

  @BeforeAll
  static void runAllDesigns() {
    for (Design d : Design.values()) {
      RESULTS.put(d, DatabaseLoadReproduction.run(d, SETTINGS));
    }
  }

  @Test
  void workload_exercisesEveryOperation() {
    DatabaseLoadResult old = RESULTS.get(Design.OLD);
    assertThat(old.events(Op.CONNECT)).isGreaterThan(SETTINGS.users());
    assertThat(old.events(Op.DISCONNECT)).isGreaterThan(old.finalDisconnects()).isPositive();
    assertThat(old.finalDisconnects()).isPositive();
    assertThat(old.events(Op.HEARTBEAT)).isPositive();
    assertThat(old.events(Op.GET)).isEqualTo((long) SETTINGS.users() * SETTINGS.getsPerUser());
    assertThat(RESULTS.get(Design.LIBRARY).events(Op.HEARTBEAT)).as("pings sent").isPositive();
  }

  @Test
  void oldDesign_writesTwiceOnEveryConnectDisconnectAndHeartbeat_andReadsOnEveryGet() {
    DatabaseLoadResult old = RESULTS.get(Design.OLD);
    assertThat(old.writes(Op.CONNECT)).isEqualTo(2 * old.events(Op.CONNECT));
    assertThat(old.writes(Op.DISCONNECT)).isEqualTo(2 * old.events(Op.DISCONNECT));
    assertThat(old.writes(Op.HEARTBEAT)).isEqualTo(2 * old.events(Op.HEARTBEAT));
    assertThat(old.userReads(Op.GET)).isEqualTo(old.events(Op.GET));
    assertThat(old.documentsWritten).isGreaterThan(old.totalWrites());
  }

  @Test
  void library_neverWritesOnConnectOrHeartbeat_atMostOncePerFinalDisconnect_neverReadsOnGet() {
    DatabaseLoadResult lib = RESULTS.get(Design.LIBRARY);
    assertThat(lib.writes(Op.CONNECT)).isZero();
    assertThat(lib.writes(Op.HEARTBEAT)).isZero();
    assertThat(lib.writes(Op.DISCONNECT)).isPositive().isLessThanOrEqualTo(lib.finalDisconnects());
    assertThat(lib.totalUserReads()).isZero();
    assertThat(lib.evictions).isZero();
    assertThat(lib.otherCommands).isZero();
    assertThat(lib.documentsWritten).isEqualTo(lib.finalDisconnects());
    assertThat(lib.shutdownCommands).isEqualTo(1);
  }

  @Test
  void libraryWithLastOnline_readsAtMostOncePerGet_andOnlyThere() {
    DatabaseLoadResult lib = RESULTS.get(Design.LIBRARY_LAST_ONLINE);
    assertThat(lib.userReads(Op.GET)).isPositive().isLessThanOrEqualTo(lib.events(Op.GET));
    assertThat(lib.totalUserReads()).isEqualTo(lib.userReads(Op.GET));
    assertThat(lib.writes(Op.CONNECT) + lib.writes(Op.HEARTBEAT)).isZero();
  }

  @Test
  void everyDesign_loadsThreadsOncePerGet() {
    for (DatabaseLoadResult r : RESULTS.values()) {
      assertThat(r.threadReads()).as(r.design.title).isEqualTo(r.events(Op.GET));
    }
  }

  @Test
  void report_hasOneTablePerDesignAndTheSummary() {
    String report = DatabaseLoadReport.report(SETTINGS, RESULTS);
    assertThat(report).contains("### old design", "### library —", "### library + last_online",
        "| WebSocket connect | 2.00 writes | 0.00 writes | 0.00 writes |");
  }
}
