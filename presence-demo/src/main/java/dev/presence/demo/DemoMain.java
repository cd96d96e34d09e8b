package dev.presence.demo;

import java.io.PrintStream;

/**
 * The command line: {@code java -jar presence-demo.jar [flags]}. Prints one line,
 * {@code Presence demo listening on http://127.0.0.1:PORT/}, once the server accepts connections;
 * on a bad flag prints a one-line error naming it and the usage, and exits with status 2. Stops
 * gracefully on SIGTERM or Ctrl-C. Stateless, hence thread-safe; not instantiable.
 */
public final class DemoMain {

  private DemoMain() {}

  /**
   * Runs the demo until the JVM is told to stop.
   *
   * @param args the flags, see {@link DemoOptions#USAGE}
   */
  public static void main(String[] args) {
    try {
      DemoServer server = launch(args, System.out, System.err);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "presence-demo-shutdown"));
    } catch (Exit e) {
      System.exit(e.status);
    }
  }

  /**
   * Parses the flags, starts the server and prints the listening line.
   *
   * @param args the flags
   * @param out where the listening line (or the usage, for {@code --help}) goes
   * @param err where errors go
   * @return the running server
   * @throws Exit with status 0 after {@code --help}, 2 for a bad flag, 1 if it cannot start
   */
  static DemoServer launch(String[] args, PrintStream out, PrintStream err) throws Exit {
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.println(DemoOptions.USAGE);
      throw new Exit(0);
    }
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(DemoOptions.USAGE);
      throw new Exit(2);
    }
    DemoServer server;
    try {
      server = DemoServer.start(options);
    } catch (Exception e) {
      err.println("error: could not start: " + oneLine(e));
      throw new Exit(1);
    }
    out.println("Presence demo listening on " + server.uri());
    out.flush();
    return server;
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e && root.getMessage() != null) {
      message += " (" + root.getMessage() + ")";
    }
    return message.replace('\n', ' ');
  }

  /** The process should end with this status. */
  static final class Exit extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Exit(int status) {
      super("exit " + status, null, false, false);
      this.status = status;
    }
  }
}
