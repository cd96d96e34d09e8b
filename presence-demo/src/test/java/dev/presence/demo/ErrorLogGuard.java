package dev.presence.demo;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when the demo (or Jetty, or the driver) logs at ERROR during it, unless the test
 * said it expects that line ({@link #expect(String)}). The demo logs through slf4j-simple to
 * {@code System.err}, which it looks up on every line; this extension puts a tee in front of it
 * once per JVM and scans whole lines for slf4j-simple's {@code "[thread] ERROR "}. Lines logged by
 * a previous test's background threads may land in the next test: such a line names its logger
 * and thread in the failure.
 */
final class ErrorLogGuard implements BeforeEachCallback, AfterEachCallback {
  private static final Pattern ERROR_LINE = Pattern.compile("\\[[^\\]]*\\] ERROR ");
  private static final List<String> ERRORS = new CopyOnWriteArrayList<>();
  private static final List<String> EXPECTED = new CopyOnWriteArrayList<>();
  private static boolean installed;

  /** Allows ERROR lines containing {@code fragment} for the rest of the current test. */
  static void expect(String fragment) {
    EXPECTED.add(fragment);
  }

  /** Returns the ERROR lines seen since the current test began (expected ones included). */
  static List<String> errors() {
    return new ArrayList<>(ERRORS);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    install();
    ERRORS.clear();
    EXPECTED.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> unexpected = new ArrayList<>();
    for (String line : ERRORS) {
      if (EXPECTED.stream().noneMatch(line::contains)) {
        unexpected.add(line);
      }
    }
    ERRORS.clear();
    EXPECTED.clear();
    if (!unexpected.isEmpty()) {
      throw new AssertionError("unexpected ERROR log lines during the test:\n"
          + String.join("\n", unexpected));
    }
  }

  private static synchronized void install() {
    if (installed) {
      return;
    }
    PrintStream original = System.err;
    System.setErr(new PrintStream(new LineTee(original), true, StandardCharsets.UTF_8));
    installed = true;
  }

  /** Forwards every byte and scans each completed line. */
  private static final class LineTee extends OutputStream {
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineTee(PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      target.write(b);
      if (b == '\n') {
        scan();
      } else if (line.size() < 8192) {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    @Override
    public void flush() {
      target.flush();
    }

    private void scan() {
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      if (ERROR_LINE.matcher(text).find()) {
        ERRORS.add(text);
      }
    }
  }
}
