package dev.presence.websocket;

import dev.presence.PresenceMessages;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client written on a bare {@link Socket}, so that a test controls what it does at
 * the frame level: answer ping frames or not, answer JSON pings or not, read at all or not (a
 * half-open peer), or die without a close frame. Thread-safe.
 */
final class RawClient implements AutoCloseable {
  enum Mode {
    /** Completes the handshake, then never reads a byte: a half-open peer. */
    NEVER_READ,
    /** Like {@link #NEVER_READ}, with a 4 KB receive window: a few MB sent to it stall the writer. */
    STALLED,
    /** Reads everything, answers nothing. */
    SILENT,
    /** Answers ping frames with pong frames; ignores JSON pings. */
    FRAME_PONGS,
    /** Answers {@code {"type":"ping"}} with {@code {"type":"pong"}}; ignores ping frames. */
    JSON_PONGS,
    /**
     * Never reads, and keeps writing ping frames ({@link #FLOOD_BATCH} per millisecond): each one
     * asks the server for a pong that can never be delivered.
     */
    PING_FLOOD
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Ping frames a flooder writes per millisecond: 8 by default, 1 MB a second of pongs that it
   * never reads (into a 4 KB receive window). Not more: the attackers run in the server's JVM on a
   * 2-core build machine, and what is tested is that they hold no shared thread and delay nobody's
   * pings, not how much CPU a container spends parsing a flood (rate-limit that in front of it);
   * {@code -Dpresence.floodBatch} to change it.
   */
  static final int FLOOD_BATCH = Integer.getInteger("presence.floodBatch", 8);
  final AtomicInteger pingFrames = new AtomicInteger();
  final AtomicInteger jsonPings = new AtomicInteger();
  final List<String> texts = new CopyOnWriteArrayList<>();
  /** The close code and reason the server sent, e.g. "1001 heartbeat timeout". */
  final CompletableFuture<String> serverClose = new CompletableFuture<>();
  /** Ping frames a {@link Mode#PING_FLOOD} client has written. */
  final AtomicInteger pingsSent = new AtomicInteger();
  /** Completes when a flood's writes fail: the server dropped the connection (or we closed it). */
  final CompletableFuture<String> floodEnded = new CompletableFuture<>();
  private final Socket socket;
  private final OutputStream out;
  private final Mode mode;

  private RawClient(Socket socket, Mode mode) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.mode = mode;
  }

  static RawClient connect(int port, String pathAndQuery, Mode mode) throws IOException {
    Socket s = new Socket();
    if (mode == Mode.PING_FLOOD || mode == Mode.STALLED) {
      s.setReceiveBufferSize(4096); // a small window: the server's pongs fill it within a second
    }
    s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 5_000);
    s.setSoTimeout(10_000);
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    String head = readHead(s.getInputStream());
    if (!head.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("upgrade refused: " + head);
    }
    s.setSoTimeout(0);
    RawClient c = new RawClient(s, mode);
    if (mode == Mode.PING_FLOOD) {
      Thread t = new Thread(c::floodPings, "raw-flooder-" + s.getLocalPort());
      t.setDaemon(true);
      t.start();
    } else if (mode != Mode.NEVER_READ && mode != Mode.STALLED) {
      Thread t = new Thread(c::readLoop, "raw-client-" + s.getLocalPort());
      t.setDaemon(true);
      t.start();
    }
    return c;
  }

  /** Reads the response head byte by byte, so no frame byte is consumed with it. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private void readLoop() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      for (;;) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        int opcode = b0 & 0x0F;
        long len = b1 & 0x7F;
        if (len == 126) {
          len = in.readUnsignedShort();
        } else if (len == 127) {
          len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        switch (opcode) {
          case 0x9 -> {
            pingFrames.incrementAndGet();
            if (mode == Mode.FRAME_PONGS) {
              writeFrame(0xA, payload);
            }
          }
          case 0x1 -> {
            String text = new String(payload, StandardCharsets.UTF_8);
            if (PresenceMessages.PING.equals(text)) {
              jsonPings.incrementAndGet();
              if (mode == Mode.JSON_PONGS) {
                sendText(PresenceMessages.PONG);
              }
            } else {
              texts.add(text);
            }
          }
          case 0x8 -> {
            int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            String reason = payload.length > 2
                ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
            serverClose.complete(code + " " + reason);
            writeFrame(0x8, payload);
            socket.close();
            return;
          }
          default -> {
          }
        }
      }
    } catch (IOException e) {
      serverClose.complete("no close frame: " + e);
    }
  }

  /**
   * Writes masked ping frames with the largest payload a control frame may carry (125 bytes, so
   * each pong the server owes is 127 bytes) until the socket fails or is closed.
   */
  private void floodPings() {
    int frame = 2 + 4 + 125;
    byte[] batch = new byte[frame * FLOOD_BATCH];
    for (int i = 0; i < batch.length; i += frame) {
      batch[i] = (byte) 0x89; // FIN + ping
      batch[i + 1] = (byte) (0x80 | 125); // masked; the mask and payload bytes stay zero
    }
    try {
      for (;;) {
        synchronized (this) {
          out.write(batch);
        }
        pingsSent.addAndGet(FLOOD_BATCH);
        Thread.sleep(1);
      }
    } catch (IOException e) {
      floodEnded.complete(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void sendText(String text) throws IOException {
    writeFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes one masked, final frame (payloads below 126 bytes only). */
  synchronized void writeFrame(int opcode, byte[] payload) throws IOException {
    if (payload.length > 125) {
      throw new IllegalArgumentException("payload too long for this client: " + payload.length);
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    byte[] frame = new byte[2 + 4 + payload.length];
    frame[0] = (byte) (0x80 | opcode);
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    out.write(frame);
    out.flush();
  }

  /**
   * For a client that never read: reads what the server sent until the connection ends, at most
   * {@code max}. Returns "ended" if the server ended the connection (end of stream or reset);
   * else "close CODE" if the server's close frame came (the container keeps the connection open
   * for our answer); else "open".
   */
  String serverEndWithin(java.time.Duration max) throws IOException {
    long deadline = System.nanoTime() + max.toNanos();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (;;) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        int n = in.read(buf);
        if (n < 0) {
          return "ended";
        }
        got.write(buf, 0, n);
      }
    } catch (java.net.SocketTimeoutException e) {
      // still open
    } catch (IOException e) {
      return "ended"; // reset by the server
    }
    byte[] b = got.toByteArray();
    for (int i = 0; i + 3 < b.length; ) { // server frames are unmasked; texts here are short
      int opcode = b[i] & 0x0F;
      int len = b[i + 1] & 0x7F;
      int header = len == 126 ? 4 : 2;
      if (len == 126) {
        len = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
      }
      if (opcode == 0x8 && len >= 2 && i + header + 1 < b.length) {
        return "close " + (((b[i + header] & 0xFF) << 8) | (b[i + header + 1] & 0xFF));
      }
      i += header + len;
    }
    return "open";
  }

  /** Drops the connection with a TCP reset: no close frame, no FIN handshake. */
  void kill() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
