package dev.presence.spring.boot.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/** Real clients for the suite: Spring's WebSocket client, a raw socket, and HTTP. */
final class Clients {
  private Clients() {}

  /** A Spring WebSocket client session that records every text it receives. */
  static final class WsClient extends TextWebSocketHandler implements AutoCloseable {
    final List<String> texts = new CopyOnWriteArrayList<>();
    volatile CloseStatus closed;
    WebSocketSession session;

    static WsClient connect(String url) throws Exception {
      WsClient c = new WsClient();
      c.session = new StandardWebSocketClient().execute(c, url).get(5, TimeUnit.SECONDS);
      return c;
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
      texts.add(message.getPayload());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
      closed = status;
    }

    boolean received(String fragment) {
      return texts.stream().anyMatch(t -> t.contains(fragment));
    }

    long count(String fragment) {
      return texts.stream().filter(t -> t.contains(fragment)).count();
    }

    void send(String text) throws IOException {
      synchronized (this) {
        session.sendMessage(new TextMessage(text));
      }
    }

    @Override
    public void close() throws IOException {
      if (session.isOpen()) {
        session.close();
      }
    }
  }

  static String statusChanged(String user, boolean online) {
    return "\"user_id\":\"" + user + "\",\"is_online\":" + online;
  }

  /**
   * A raw TCP client that completes the WebSocket handshake and then neither reads nor answers
   * anything: a half-open peer, or a client that does not read.
   */
  static Socket silentWebSocket(int port, String path, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(5000);
    byte[] nonce = new byte[16];
    new java.util.Random().nextBytes(nonce);
    String request = "GET " + path + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during handshake: " + head);
      }
      head.write(b);
    }
    assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    return s; // from here on: silence, and nothing is read
  }

  /**
   * Reads server frames from a raw socket until a close frame and returns its code and reason as
   * "code reason" (Tomcat's Java client rejects some valid codes such as 1013, a browser does not).
   */
  static String readClose(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    for (;;) {
      int b0 = in.read();
      int b1 = in.read();
      if (b0 < 0 || b1 < 0) {
        throw new IOException("closed without a close frame");
      }
      long len = b1 & 0x7f;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) len);
      if ((b0 & 0x0f) == 8) {
        int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        return code + " " + new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
      }
    }
  }

  /** Writes one masked text frame (as a client must) of a short text on a raw socket. */
  static void sendText(Socket s, String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    if (payload.length > 125) {
      throw new IllegalArgumentException("short texts only");
    }
    byte[] mask = {1, 2, 3, 4};
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) 0x81;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    OutputStream out = s.getOutputStream();
    out.write(frame);
    out.flush();
  }

  /**
   * Keeps a raw client alive without ever reading: it writes {"type":"pong"} every 100 ms until
   * the socket fails or closes. A client that talks but does not read.
   */
  static Thread keepTalking(Socket s) {
    Thread t = new Thread(() -> {
      try {
        while (!s.isClosed()) {
          sendText(s, "{\"type\":\"pong\"}");
          Thread.sleep(100);
        }
      } catch (IOException | InterruptedException e) {
        // the server closed it, or the test is over
      }
    }, "talking-but-not-reading");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
