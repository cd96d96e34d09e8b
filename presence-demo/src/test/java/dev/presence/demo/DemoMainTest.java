package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private DemoServer launch(String... args) throws DemoMain.Exit {
    return DemoMain.launch(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private int exitOf(String... args) {
    return catchThrowableOfType(DemoMain.Exit.class, () -> launch(args)).status;
  }

  @Test
  void start_printsExactlyOneLineWithTheChosenPort_andServes() throws Exception {
    try (DemoServer server = launch("--port", "0")) {
      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed).isEqualTo("Presence demo listening on http://127.0.0.1:" + server.port()
          + "/" + System.lineSeparator());
      assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
      URI uri = URI.create(printed.substring(printed.indexOf("http")).strip());
      assertThat(new DemoClient(uri).login("main-test")).isNotBlank();
    }
  }

  @Test
  void badFlag_printsOneLineErrorNamingIt_thenUsage_andExits2() {
    assertThat(exitOf("--port", "eighty")).isEqualTo(2);
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\\R");
    assertThat(lines[0]).isEqualTo("error: --port must be a number between 0 and 65535: 'eighty'");
    assertThat(lines[1]).startsWith("usage: java -jar presence-demo.jar");
    assertThat(String.join("\n", lines)).contains("--mongo-uri", "--heartbeat-interval",
        "--heartbeat-timeout", "--offline-grace");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void unknownFlag_exits2() {
    assertThat(exitOf("--colour", "blue")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: unknown flag --colour");
  }

  @Test
  void help_printsUsageToStdout_andExits0() {
    assertThat(exitOf("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage:");
  }

  @Test
  void portInUse_failsToStart_withOneLine_andExits1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(exitOf("--port", String.valueOf(taken.getLocalPort()))).isEqualTo(1);
    }
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(e).startsWith("error: could not start: ");
    assertThat(e.strip().split("\\R")).hasSize(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
