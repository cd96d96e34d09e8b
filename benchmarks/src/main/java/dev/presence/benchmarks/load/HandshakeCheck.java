package dev.presence.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks the JDK WebSocket client alone, against a minimal server written here byte by byte (no
 * Jetty, no Presence): the server answers each upgrade with the 101 response immediately followed
 * by a {@code size}-byte ASCII text frame and a short one, the way the demo sends
 * {@code presence_state} and {@code ready} right after the handshake; in half the connections the
 * 101 and the start of the first frame go out in one write, the rest of the frame a moment later
 * (the bytes a busy server puts behind its 101). Sockets stay open and get a short text every
 * {@code tick-ms} (like diffs to every client), so that the client's threads are busy while
 * later sockets open. With {@code login=true} (the default) each client first makes a plain HTTP
 * request to the same server, as the load tool's clients log in before each socket (the JDK client
 * may then open the socket on that pooled connection). Every client must receive both texts intact.
 * Prints how many sockets failed and why. Exits 1 if any did.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.presence.benchmarks.load.HandshakeCheck sockets=3000 size=15000 tick-ms=1000 login=true
 * </pre>
 *
 * <p>Not thread-safe; one instance per process.
 */
public final class HandshakeCheck {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** Upgrades that came on a connection that had already answered a plain request. */
  private static final AtomicInteger UPGRADES_ON_REUSED = new AtomicInteger();

  private HandshakeCheck() {}

  /**
   * Runs the check.
   *
   * @param args {@code sockets=N size=BYTES concurrency=N}
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = new TreeMap<>();
    for (String a : args) {
      o.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    int sockets = Integer.parseInt(o.getOrDefault("sockets", "3000"));
    int size = Integer.parseInt(o.getOrDefault("size", "15000"));
    int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "200"));
    long tickMillis = Long.parseLong(o.getOrDefault("tick-ms", "500"));
    String big = "{\"type\":\"presence_state\",\"pad\":\"" + "x".repeat(Math.max(0, size - 40)) + "\"}";
    String small = "{\"type\":\"ready\"}";
    ServerSocket server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
    ExecutorService serverThreads = Executors.newCachedThreadPool(Harness.daemon("check-server"));
    List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger serial = new AtomicInteger();
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.add(s);
          boolean split = serial.incrementAndGet() % 2 == 0;
          serverThreads.execute(() -> serve(s, big, small, split, tickMillis));
        } catch (IOException e) {
          return;
        }
      }
    }, "check-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();

    ExecutorService callbacks = Executors.newFixedThreadPool(4, Harness.daemon("ws-client"));
    HttpClient http = HttpClient.newBuilder().executor(callbacks).build();
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    AtomicInteger ok = new AtomicInteger();
    Semaphore inFlight = new Semaphore(concurrency);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    URI uri = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws");
    URI loginUri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/login");
    boolean login = Boolean.parseBoolean(o.getOrDefault("login", "true"));
    long t0 = System.nanoTime();
    for (int i = 0; i < sockets; i++) {
      inFlight.acquire();
      CompletableFuture<Void> done = new CompletableFuture<>();
      all.add(done);
      WebSocket.Listener listener = new WebSocket.Listener() {
        final StringBuilder partial = new StringBuilder();
        final List<String> texts = new ArrayList<>();

        @Override
        public void onOpen(WebSocket ws) {
          ws.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          partial.append(data);
          if (last && texts.size() >= 2) {
            partial.setLength(0); // a tick
          } else if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
            if (texts.size() == 2) {
              if (texts.get(0).equals(big) && texts.get(1).equals(small)) {
                ok.incrementAndGet();
              } else {
                failures.merge("texts received but not the ones sent", 1, Integer::sum);
              }
              done.complete(null); // stays open: later frames keep the client's threads busy
            }
          }
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          String why = error.toString() + (error.getCause() == null ? "" : " caused by " + error.getCause());
          failures.merge(why + " after " + Math.min(2, texts.size()) + " whole texts", 1, Integer::sum);
          done.complete(null);
        }
      };
      CompletableFuture<?> before = login
          ? http.sendAsync(java.net.http.HttpRequest.newBuilder(loginUri).GET().build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          : CompletableFuture.completedFuture(null);
      var unused = before.thenCompose(r -> http.newWebSocketBuilder().buildAsync(uri, listener)).whenComplete((ws, e) -> {
        inFlight.release();
        if (e != null) {
          failures.merge("handshake: " + e, 1, Integer::sum);
          done.complete(null);
        }
      });
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    } catch (java.util.concurrent.TimeoutException e) {
      failures.merge("no answer within 5 minutes", (int) all.stream().filter(f -> !f.isDone()).count(), Integer::sum);
    }
    int failed = failures.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf("# HandshakeCheck sockets=%d size=%d concurrency=%d login=%s | load %s%n", sockets, size, concurrency, login,
        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
    System.out.printf("%d of %d sockets received both texts intact in %.1f s (%d upgrades on a connection that"
        + " had served a plain request); %d failed: %s%n", ok.get(), sockets, (System.nanoTime() - t0) / 1e9,
        UPGRADES_ON_REUSED.get(), failed, failures);
    server.close();
    synchronized (accepted) {
      for (Socket s : accepted) {
        s.close();
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }

  /** Reads the upgrade request, then writes the 101 and both frames. */
  private static void serve(Socket s, String big, String small, boolean split, long tickMillis) {
    try {
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      int plain = 0;
      for (;;) { // plain requests (a login before the upgrade) are answered on the same connection
        head.setLength(0);
        while (!head.toString().endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          head.append((char) b);
        }
        if (head.toString().toLowerCase(java.util.Locale.ROOT).contains("upgrade: websocket")) {
          if (plain > 0) {
            UPGRADES_ON_REUSED.incrementAndGet();
          }
          break;
        }
        plain++;
        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
      }
      String key = null;
      for (String line : head.toString().split("\r\n", -1)) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
      byte[] response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] first = frame(big);
      byte[] second = frame(small);
      OutputStream out = s.getOutputStream();
      if (split) {
        byte[] together = new byte[response.length + 200];
        System.arraycopy(response, 0, together, 0, response.length);
        System.arraycopy(first, 0, together, response.length, 200);
        out.write(together);
        out.flush();
        Thread.sleep(1);
        out.write(first, 200, first.length - 200);
      } else {
        byte[] all = new byte[response.length + first.length + second.length];
        System.arraycopy(response, 0, all, 0, response.length);
        System.arraycopy(first, 0, all, response.length, first.length);
        out.write(all, 0, response.length + first.length);
      }
      out.write(second);
      out.flush();
      byte[] tick = frame("{\"type\":\"tick\"}");
      while (!s.isClosed()) { // ticks until the end of the check, like diffs to every client
        Thread.sleep(tickMillis);
        out.write(tick);
        out.flush();
      }
    } catch (Exception e) {
      // the client went away
    }
  }

  /** An unmasked, final text frame. */
  private static byte[] frame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int n = payload.length;
    byte[] header = n < 126 ? new byte[] {(byte) 0x81, (byte) n}
        : n < 65536 ? new byte[] {(byte) 0x81, 126, (byte) (n >>> 8), (byte) n}
        : null;
    if (header == null) {
      throw new IllegalArgumentException("size must be under 64 KiB: " + n);
    }
    byte[] out = new byte[header.length + n];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(payload, 0, out, header.length, n);
    return out;
  }
}
