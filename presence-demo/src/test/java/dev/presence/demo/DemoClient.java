package dev.presence.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A client of a running demo over real HTTP and WebSocket (the JDK's java.net.http). */
final class DemoClient {
  static final ObjectMapper JSON = new ObjectMapper();

  final URI base;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  DemoClient(URI base) {
    this.base = base;
  }

  record Reply(int status, JsonNode body, java.net.http.HttpHeaders headers) {
    String error() {
      return body.path("error").asText(null);
    }
  }

  Reply get(String path, String token) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET(), token);
  }

  /** POSTs {@code body} (none if null) as {@code application/json}. */
  Reply post(String path, String token, String body) {
    return post(path, token, body, body == null ? null : "application/json");
  }

  /** POSTs {@code body} (none if null) with the given Content-Type (none if null). */
  Reply post(String path, String token, String body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
        .POST(body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b, token);
  }

  /** PUTs {@code body} with the given Content-Type (none if null). */
  Reply put(String path, String token, String body, String contentType) {
    return request("PUT", path, token, body, contentType);
  }

  /** PUTs {@code body} as {@code application/json}. */
  Reply put(String path, String token, String body) {
    return put(path, token, body, "application/json");
  }

  /** Sends any method with {@code body} (none if null) and Content-Type (none if null). */
  Reply request(String method, String path, String token, String body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b, token);
  }

  private Reply send(HttpRequest.Builder b, String token) {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body()),
          r.headers());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Logs in and returns the token. */
  String login(String userId) {
    Reply r = post("/login", null, "{\"user_id\":\"" + userId + "\"}");
    if (r.status() != 200) {
      throw new AssertionError("login of " + userId + " failed: " + r);
    }
    return r.body().get("token").asText();
  }

  /** Creates a thread as {@code token}'s user with the given other members; returns its id. */
  String createThread(String token, String name, String... userIds) {
    StringBuilder ids = new StringBuilder();
    for (String u : userIds) {
      ids.append(ids.length() == 0 ? "" : ",").append('"').append(u).append('"');
    }
    Reply r = post("/threads", token, "{\"name\":\"" + name + "\",\"user_ids\":[" + ids + "]}");
    if (r.status() != 201) {
      throw new AssertionError("thread creation failed: " + r);
    }
    return r.body().get("id").asText();
  }

  CompletableFuture<WebSocket> connectAsync(String token, TestSocket listener) {
    String query = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    URI ws = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws" + query);
    return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(ws, listener);
  }

  /**
   * Opens a WebSocket as the token's user; returns once the server has registered it (its
   * "ready" message), so that no later transition can be missed.
   */
  TestSocket connect(String token) {
    TestSocket socket = new TestSocket();
    socket.ws = connectAsync(token, socket).join();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10)).until(() -> !socket.ofType("ready").isEmpty());
    return socket;
  }

  /** Returns the member entry of {@code userId} in a thread JSON. */
  static JsonNode member(JsonNode thread, String userId) {
    for (JsonNode u : thread.get("users")) {
      if (u.get("id").asText().equals(userId)) {
        return u;
      }
    }
    throw new AssertionError(userId + " is not a member of " + thread);
  }

  /** Reads the number of requests /stats counted for a route, e.g. "GET /threads". */
  long requests(String route) {
    if (statsToken == null) {
      statsToken = login("stats-reader");
    }
    return get("/stats", statsToken).body().path("requests").path(route).asLong(0);
  }

  private volatile String statsToken;

  /** Reads one database counter from /stats (logging in once: a login is a users write). */
  long stat(String collection, String kind) {
    if (statsToken == null) {
      statsToken = login("stats-reader");
    }
    return get("/stats", statsToken).body().path("db").path(collection).path(kind).asLong(-1);
  }
}
