package dev.presence.demo;

import dev.presence.websocket.PingStyle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's command-line settings. Immutable, hence thread-safe.
 *
 * @param port the TCP port on 127.0.0.1; 0 picks a free one
 * @param mongoUri a MongoDB connection string, or null for the embedded in-process server
 * @param heartbeatInterval how often every WebSocket is pinged
 * @param heartbeatTimeout how long a WebSocket may stay silent before it is evicted
 * @param offlineGrace how long a user's offline transition waits for a reconnect
 * @param tokenTtl how long a bearer token from {@code POST /login} is valid (at least 1s)
 * @param batchWindow how long status changes are collected into one {@code presence_diff} per
 *     recipient; zero sends one {@code user_status_changed} per transition at once
 * @param pingStyle how heartbeat pings are sent (the page answers both kinds)
 * @param idleAfter how long a user may show no activity (input in the page) on any session before
 *     they show as away; zero turns automatic away off
 */
public record DemoOptions(int port, String mongoUri, Duration heartbeatInterval,
    Duration heartbeatTimeout, Duration offlineGrace, Duration tokenTtl, Duration batchWindow,
    PingStyle pingStyle, Duration idleAfter) {

  /**
   * The default batch window: 1 s. Measured (docs/benchmarks.md, "Scale"): in a reconnect storm
   * and a large room it cuts the messages per client to about one per second whatever the churn,
   * for at most a second of delay, which a presence dot can afford.
   */
  public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofSeconds(1);

  /**
   * The default idle time before a user shows as away: 5 minutes, short enough to be seen in a
   * demo, long enough that reading a thread does not make anyone away.
   */
  public static final Duration DEFAULT_IDLE_AFTER = Duration.ofMinutes(5);

  /** The shortest {@code --idle-after} other than 0: the page reports activity at most 4 times per it. */
  static final Duration MIN_IDLE_AFTER = Duration.ofSeconds(1);

  /** The longest {@code --idle-after}. */
  static final Duration MAX_IDLE_AFTER = Duration.ofHours(24);

  /** The usage text printed with every flag error and by {@code --help}. */
  public static final String USAGE = String.join(System.lineSeparator(),
      "usage: java -jar presence-demo.jar [flags]",
      "  --port N                  TCP port on 127.0.0.1 (default 8080; 0 = any free port)",
      "  --mongo-uri URI           MongoDB connection string (default: embedded in-process server)",
      "  --heartbeat-interval D    how often every WebSocket is pinged (default 10s)",
      "  --heartbeat-timeout D     silence after which a WebSocket is dropped (default 25s)",
      "  --offline-grace D         wait before a user whose last socket closed goes offline (default 0s)",
      "  --token-ttl D             how long a login token is valid (default 24h; at least 1s)",
      "  --batch-window D          collect status changes into one presence_diff per client per window"
          + " (default 1s; 0 = one user_status_changed per change, at once; at most 1m)",
      "  --ping-style S            heartbeat as a ping frame, JSON text or both: frame, json, both (default both)",
      "  --idle-after D            show a user as away after this long without input in any of their pages"
          + " (default 5m; 0 = never; 1s to 24h)",
      "  --help                    print this text",
      "durations: a whole number with a unit: 500ms, 2s, 1m, 1h");

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final List<String> FLAGS = List.of("--port", "--mongo-uri",
      "--heartbeat-interval", "--heartbeat-timeout", "--offline-grace", "--token-ttl",
      "--batch-window", "--ping-style", "--idle-after");

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the flag if a value is out of range or the heartbeat
   *     timeout is not longer than the interval
   * @throws NullPointerException if a duration is null
   */
  public DemoOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535: " + port);
    }
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
    Objects.requireNonNull(offlineGrace, "offlineGrace");
    Objects.requireNonNull(tokenTtl, "tokenTtl");
    Objects.requireNonNull(batchWindow, "batchWindow");
    Objects.requireNonNull(pingStyle, "pingStyle");
    Objects.requireNonNull(idleAfter, "idleAfter");
    if (!idleAfter.isZero() && !validIdleAfter(idleAfter)) {
      throw new IllegalArgumentException(IDLE_AFTER_RULE + format(idleAfter));
    }
    if (batchWindow.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("--batch-window must be at most 1m: " + format(batchWindow));
    }
    if (tokenTtl.toSeconds() < 1) {
      throw new IllegalArgumentException("--token-ttl must be at least 1s: " + format(tokenTtl));
    }
    if (heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("--heartbeat-interval must be positive: 0s");
    }
    if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("--heartbeat-timeout (" + format(heartbeatTimeout)
          + ") must be longer than --heartbeat-interval (" + format(heartbeatInterval) + ")");
    }
  }

  private static final String IDLE_AFTER_RULE = "--idle-after must be 0 (never) or between 1s and 24h: ";

  private static boolean validIdleAfter(Duration d) {
    return d.compareTo(MIN_IDLE_AFTER) >= 0 && d.compareTo(MAX_IDLE_AFTER) <= 0;
  }

  /**
   * Returns the defaults: port 8080, embedded MongoDB, heartbeat every 10 s, timeout 25 s, no
   * offline grace, tokens valid for 24 h, batch window 1 s, ping frames and JSON pings, away after
   * 5 minutes without input.
   *
   * @return the default options
   */
  public static DemoOptions defaults() {
    return new DemoOptions(8080, null, Duration.ofSeconds(10), Duration.ofSeconds(25), Duration.ZERO,
        Tokens.DEFAULT_TTL, DEFAULT_BATCH_WINDOW, PingStyle.BOTH, DEFAULT_IDLE_AFTER);
  }

  /**
   * Parses command-line flags ({@code --flag value} or {@code --flag=value}). An explicit
   * {@code --heartbeat-interval} without {@code --heartbeat-timeout} sets the timeout to 2.5
   * times the interval.
   *
   * @param args the arguments
   * @return the options
   * @throws IllegalArgumentException with a one-line message naming the bad flag or value
   */
  public static DemoOptions parse(String... args) {
    DemoOptions d = defaults();
    int port = d.port;
    String mongoUri = null;
    Duration interval = d.heartbeatInterval;
    Duration timeout = null;
    Duration grace = d.offlineGrace;
    Duration tokenTtl = d.tokenTtl;
    Duration batchWindow = d.batchWindow;
    PingStyle pingStyle = d.pingStyle;
    Duration idleAfter = d.idleAfter;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (!FLAGS.contains(flag)) {
        throw new IllegalArgumentException(arg.startsWith("--")
            ? "unknown flag " + flag : "unexpected argument '" + arg + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        value = args[++i];
      }
      switch (flag) {
        case "--port" -> port = parsePort(value);
        case "--mongo-uri" -> {
          if (!value.startsWith("mongodb://") && !value.startsWith("mongodb+srv://")) {
            throw new IllegalArgumentException(
                "--mongo-uri must start with mongodb:// or mongodb+srv://: '" + value + "'");
          }
          mongoUri = value;
        }
        case "--heartbeat-interval" -> {
          interval = parseDuration(flag, value);
          if (interval.isZero()) {
            throw new IllegalArgumentException("--heartbeat-interval must be positive: '" + value + "'");
          }
        }
        case "--heartbeat-timeout" -> timeout = parseDuration(flag, value);
        case "--token-ttl" -> {
          tokenTtl = parseDuration(flag, value);
          if (tokenTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("--token-ttl must be at least 1s: '" + value + "'");
          }
        }
        case "--batch-window" -> {
          batchWindow = value.equals("0") ? Duration.ZERO : parseDuration(flag, value);
          if (batchWindow.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("--batch-window must be at most 1m: '" + value + "'");
          }
        }
        case "--ping-style" -> {
          pingStyle = switch (value) {
            case "frame" -> PingStyle.FRAME;
            case "json" -> PingStyle.JSON;
            case "both" -> PingStyle.BOTH;
            default -> throw new IllegalArgumentException(
                "--ping-style must be frame, json or both: '" + value + "'");
          };
        }
        case "--idle-after" -> {
          idleAfter = value.equals("0") ? Duration.ZERO : parseDuration(flag, value);
          if (!idleAfter.isZero() && !validIdleAfter(idleAfter)) {
            throw new IllegalArgumentException(IDLE_AFTER_RULE + "'" + value + "'");
          }
        }
        default -> grace = parseDuration(flag, value); // --offline-grace
      }
    }
    if (timeout == null) {
      timeout = interval.equals(d.heartbeatInterval) ? d.heartbeatTimeout
          : interval.multipliedBy(5).dividedBy(2);
    }
    return new DemoOptions(port, mongoUri, interval, timeout, grace, tokenTtl, batchWindow, pingStyle,
        idleAfter);
  }

  private static int parsePort(String value) {
    try {
      return new DemoOptions(Integer.parseInt(value), null, Duration.ofSeconds(1),
          Duration.ofSeconds(2), Duration.ZERO, Tokens.DEFAULT_TTL, Duration.ZERO, PingStyle.BOTH,
          Duration.ZERO).port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be a number between 0 and 65535: '" + value + "'");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--port must be a number between 0 and 65535: '" + value + "'");
    }
  }

  /**
   * Parses a duration such as {@code 500ms}, {@code 2s}, {@code 1m} or {@code 1h}.
   *
   * @param flag the flag, for the message
   * @param value the text
   * @return the duration
   * @throws IllegalArgumentException naming the flag if the text is not a duration
   */
  static Duration parseDuration(String flag, String value) {
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(flag + " must be a duration like 500ms, 2s, 1m or 1h: '"
          + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** Formats a duration the way the flags are written (e.g. {@code 2500ms}, {@code 2s}). */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
