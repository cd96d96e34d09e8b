package dev.presence.websocket;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test if anything logged at ERROR (SLF4J: the library, Jetty) or SEVERE
 * (java.util.logging: Tomcat) while it ran, or while its container started or stopped. SLF4J
 * output is read from slf4j-simple's lines on {@code System.err} ({@code [thread] ERROR logger -
 * message}); java.util.logging through a handler on the root logger.
 */
final class LogGuard implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  private static final Pattern SLF4J_ERROR = Pattern.compile("^(\\S+ )?\\[[^\\]]*\\] ERROR ");
  private static final List<String> ERRORS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    ERRORS.clear();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    check("before " + context.getDisplayName()); // the container's start, or the test before
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context.getDisplayName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check("the container's stop");
  }

  /** Throws if anything was logged at ERROR/SEVERE since the last check, and forgets it. */
  static void check(String when) {
    if (!ERRORS.isEmpty()) {
      List<String> seen = new ArrayList<>(ERRORS);
      ERRORS.clear();
      throw new AssertionError("ERROR/SEVERE logged during " + when + ":\n" + String.join("\n", seen));
    }
  }

  /** Installs the capture once per JVM: a JUL handler on the root logger and a tee on System.err. */
  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    java.util.logging.Logger.getLogger("").addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
          ERRORS.add("SEVERE " + r.getLoggerName() + ": " + r.getMessage()
              + (r.getThrown() == null ? "" : " (" + r.getThrown() + ")"));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    PrintStream original = System.err;
    System.setErr(new PrintStream(new LineTee(original), true, StandardCharsets.UTF_8));
  }

  /** Passes bytes through and scans each complete line for an SLF4J ERROR. */
  private static final class LineTee extends OutputStream {
    private final PrintStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineTee(PrintStream out) {
      this.out = out;
    }

    @Override
    public synchronized void write(int b) {
      out.write(b);
      scan(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      out.write(b, off, len);
      for (int i = off; i < off + len; i++) {
        scan(b[i]);
      }
    }

    private void scan(int b) {
      if (b == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (SLF4J_ERROR.matcher(s).find()) {
          ERRORS.add(s);
        }
      } else if (line.size() < 4096) {
        line.write(b);
      }
    }

    @Override
    public void flush() {
      out.flush();
    }
  }
}
