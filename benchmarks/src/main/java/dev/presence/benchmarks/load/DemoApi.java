package dev.presence.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** The demo's JSON API over loopback HTTP. Thread-safe (the JDK client is). */
final class DemoApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private volatile URI base;

  DemoApi(HttpClient http, int port) {
    this.http = http;
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** Logs in (creating the user if new) and returns the bearer token. */
  String login(String userId) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("user_id", userId);
    return call("POST", "/login", null, body).get("token").asText();
  }

  /** Creates a thread of the caller and up to 99 others; returns its id. */
  String createThread(String token, String name, List<String> others) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("name", name);
    ArrayNode ids = body.putArray("user_ids");
    others.forEach(ids::add);
    return call("POST", "/threads", token, body).get("id").asText();
  }

  void invite(String token, String threadId, String userId) throws IOException {
    call("POST", "/threads/" + threadId + "/invitations", token,
        JSON.createObjectNode().put("user_id", userId));
  }

  void accept(String token, String threadId) throws IOException {
    call("POST", "/threads/" + threadId + "/invitations/accept", token, null);
  }

  /** GET /threads: the caller's threads with every member's {@code is_online} as the server sees it now. */
  JsonNode threads(String token) throws IOException {
    return call("GET", "/threads", token, null);
  }

  /** GET /stats: {"db":{"users":{"reads","writes"},"threads":{…}},"presence":{"online_users","sessions"}}. */
  JsonNode stats(String token) throws IOException {
    return call("GET", "/stats", token, null);
  }

  /** Database commands counted by the demo since it started (reads and writes, both collections). */
  long dbCommands(String token) throws IOException {
    JsonNode db = stats(token).get("db");
    long n = 0;
    for (String c : List.of("users", "threads")) {
      n += db.get(c).get("reads").asLong() + db.get(c).get("writes").asLong();
    }
    return n;
  }

  private JsonNode call(String method, String path, String token, JsonNode body) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IOException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
