package dev.presence.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.presence.test.EmbeddedMongoExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import dev.presence.test.FakeTime;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile and malformed input against the running demo over raw HTTP: every case is answered as
 * JSON with the status and message in the table, nothing is stored, no ERROR is logged (except
 * for the one 500 the table provokes on purpose), and the server keeps serving.
 */
@ExtendWith(ErrorLogGuard.class)
class DemoBadInputTest {
  private static final Duration TTL = Duration.ofHours(1);
  private static final FakeTime TIME = new FakeTime();
  private static final Tokens TOKENS = new Tokens(TIME.clock(), TTL);
  @RegisterExtension
  static final EmbeddedMongoExtension MONGO = new EmbeddedMongoExtension();
  private static MongoClient mongo;
  private static MongoDatabase db;
  private static DemoServer server;
  private static String carol;
  private static String expired;
  private static String victor;
  private static String thread;

  @BeforeAll
  static void start() throws Exception {
    String uri = MONGO.uri("bad_input");
    mongo = MongoClients.create(uri);
    db = mongo.getDatabase("bad_input");
    // A thread written by something else that the enricher rejects: the one 500 of the table.
    db.getCollection("threads").insertOne(new Document("id", "corrupt")
        .append("name", "written by something else")
        .append("users", List.of(new Document("id", "victor"), new Document("name", "no id"))));
    server = DemoServer.start(DemoOptions.parse("--port", "0", "--mongo-uri", uri), TOKENS);
    expired = TOKENS.issue("carol");
    TIME.advance(TTL.plusMinutes(1)); // the token above has expired; those issued from now on live
    DemoClient client = new DemoClient(server.uri());
    carol = client.login("carol");
    victor = client.login("victor");
    client.login("dave");
    thread = client.createThread(carol, "Table");
  }

  @AfterAll
  static void stop() {
    server.close();
    mongo.close();
  }

  /** One row: a request (its token and thread filled in) and the answer expected. */
  record Row(String name, UnaryOperator<String> request, int status, String error) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Row row(String name, int status, String error, UnaryOperator<String> request) {
    return new Row(name, request, status, error);
  }

  /** A request as carol ({@code TOKEN} and {@code THREAD} are filled in when it is sent). */
  private static UnaryOperator<String> asCarol(String method, String path, String contentType,
      String body) {
    return token -> RawHttp.request(method, path, body, "Authorization: Bearer " + token,
        contentType == null ? "X-No-Content-Type: 1" : "Content-Type: " + contentType);
  }

  private static UnaryOperator<String> login(String body) {
    return token -> RawHttp.request("POST", "/login", body, "Content-Type: application/json");
  }

  private static UnaryOperator<String> withToken(UnaryOperator<String> mangle) {
    return token -> RawHttp.request("GET", "/threads", null,
        "Authorization: Bearer " + mangle.apply(token));
  }

  private static UnaryOperator<String> createThread(String nameJson) {
    return asCarol("POST", "/threads", "application/json", "{\"name\":" + nameJson + "}");
  }

  private static String emoji(int n) {
    return "\"" + "\uD83D\uDE00".repeat(n) + "\"";
  }

  static Stream<Row> table() {
    return Stream.of(
        // Jackson's stream limits: 400 naming the limit, never a 500 or a stack trace
        row("nested 33 deep", 400, "JSON nested deeper than 32 levels",
            login("{\"user_id\":" + "[".repeat(32) + "]".repeat(32) + "}")),
        row("nested 1,001 deep (Jackson's default limit)", 400, "JSON nested deeper than 32 levels",
            login("[".repeat(1001) + "]".repeat(1001))),
        row("nested 60,000 deep, unclosed", 400, "JSON nested deeper than 32 levels",
            login("{\"a\":" + "[".repeat(60_000))),
        row("number of 101 digits", 400, "JSON number longer than 100 characters",
            login("{\"user_id\":" + "1".repeat(101) + "}")),
        row("number of 1,001 digits (Jackson's default limit)", 400, "JSON number longer than 100 characters",
            login("{\"user_id\":" + "9".repeat(1001) + "}")),
        row("fraction of 2,000 digits", 400, "JSON number longer than 100 characters",
            login("{\"user_id\":0." + "5".repeat(2000) + "}")),
        // exactly one JSON value
        row("trailing word", 400, "malformed JSON", login("{\"user_id\":\"carol\"} xyz")),
        row("two objects", 400, "content after the JSON value",
            login("{\"user_id\":\"carol\"}{\"user_id\":\"dave\"}")),
        row("object then array", 400, "content after the JSON value", login("{\"user_id\":\"carol\"} []")),
        row("body over 64 KiB", 413, "request body larger than 65536 bytes",
            login("{\"user_id\":\"" + "a".repeat(70_000) + "\"}")),
        // media type
        row("body without Content-Type", 415, "Content-Type: application/json",
            token -> RawHttp.request("POST", "/login", "{\"user_id\":\"carol\"}")),
        row("text/plain body", 415, "not 'text/plain'", asCarol("POST", "/threads", "text/plain", "{\"name\":\"x\"}")),
        row("form body", 415, "application/json", token -> RawHttp.request("POST", "/login",
            "user_id=carol", "Content-Type: application/x-www-form-urlencoded")),
        row("JSON in Latin-1", 415, "application/json",
            asCarol("POST", "/threads", "application/json; charset=iso-8859-1", "{\"name\":\"x\"}")),
        row("body on accept, as text", 415, "application/json",
            asCarol("POST", "/threads/THREAD/invitations/accept", "text/plain", "hello")),
        // thread names: control and bidi characters, length in code points
        row("name with U+202E", 400, "U+202E at index 3", createThread("\"abc\u202Egnp.exe\"")),
        row("name with escaped U+202E", 400, "U+202E at index 0", createThread("\"\\u202Eabc\"")),
        row("name with U+2066 isolate", 400, "U+2066", createThread("\"a\\u2066b\"")),
        row("name with U+200F mark", 400, "U+200F", createThread("\"a\\u200Fb\"")),
        row("name with NUL", 400, "U+0000", createThread("\"a\\u0000b\"")),
        row("name with BEL", 400, "U+0007", createThread("\"a\\u0007b\"")),
        row("name with newline", 400, "U+000A", createThread("\"a\\nb\"")),
        row("name with line separator", 400, "U+2028", createThread("\"a\\u2028b\"")),
        row("name with lone surrogate", 400, "U+D800", createThread("\"a\\ud800b\"")),
        row("name of spaces", 400, "name must be 1 to 200 characters but was 0", createThread("\"   \"")),
        row("name of 201 emoji (402 UTF-16 units)", 400, "but was 201", createThread(emoji(201))),
        row("name of 1,000 characters is quoted short", 400, "...' (1000 code points)",
            createThread("\"" + "n".repeat(1000) + "\"")),
        row("user id of 5,000 characters is quoted short", 400, "...' (5000 code points)",
            login("{\"user_id\":\"" + "u".repeat(5000) + "\"}")),
        // tokens: only the canonical encoding, only until they expire
        row("expired token", 401, "invalid or expired bearer token", withToken(t -> expired)),
        row("token with padding", 401, "invalid or expired", withToken(t -> t + "=")),
        row("token with other trailing bits", 401, "invalid or expired", withToken(DemoBadInputTest::flipTrailingBits)),
        row("token expiry with a leading zero", 401, "invalid or expired",
            withToken(t -> t.replaceFirst("\\.", ".0"))),
        row("token expiry with a plus sign", 401, "invalid or expired",
            withToken(t -> t.replaceFirst("\\.", ".+"))),
        row("token user id with padding", 401, "invalid or expired",
            withToken(t -> t.substring(0, t.indexOf('.')) + "=" + t.substring(t.indexOf('.')))),
        // a 500 says nothing of the exception
        row("stored thread the enricher rejects", 500, "internal error (incident ",
            token -> RawHttp.request("GET", "/threads/corrupt", null, "Authorization: Bearer " + victor)),
        // Jetty's own errors are JSON too
        row("malformed percent escape", 400, "", token -> RawHttp.request("GET", "/threads/%zz", null)),
        row("ambiguous encoded slash", 400, "", token -> RawHttp.request("GET", "/threads/a%2F..%2Fb", null)),
        row("header over 8 KiB", 431, "", token -> RawHttp.request("GET", "/threads", null,
            "X-Big: " + "x".repeat(20_000))),
        row("garbage request line", 400, "", token -> "GARBAGE\r\n\r\n"),
        row("bad Content-Length", 400, "", token -> "POST /login HTTP/1.1\r\nHost: x\r\n"
            + "Content-Length: abc\r\nContent-Type: application/json\r\n\r\n{}"),
        row("unknown long path", 404, "...' (3001 code points)",
            token -> RawHttp.request("GET", "/" + "p".repeat(3000), null)),
        // positive controls: the same paths accept good input
        row("JSON with charset=utf-8 is fine", 200, null,
            token -> RawHttp.request("POST", "/login", "{\"user_id\":\"carol\"}",
                "Content-Type: application/json; charset=UTF-8")),
        row("name of 200 emoji (400 UTF-16 units) is fine", 201, null, createThread(emoji(200))),
        row("fresh canonical token is fine", 200, null, withToken(t -> t)),
        row("accept without a body needs no Content-Type", 409, "already a member",
            asCarol("POST", "/threads/THREAD/invitations/accept", null, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void badInput_isAnsweredAsJson_storesNothing_andTheServerKeepsServing(Row row) {
    if (row.status() == 500) {
      ErrorLogGuard.expect("(incident ");
    }
    long users = db.getCollection("users").countDocuments();
    long threads = db.getCollection("threads").countDocuments();
    String request = row.request().apply(carol).replace("THREAD", thread);

    RawHttp.Response r = RawHttp.send(server.port(), request);

    assertThat(r.status()).as("status of %s: %s", row, r).isEqualTo(row.status());
    assertThat(r.header("Content-Type")).as("%s", r).startsWith("application/json");
    JsonNode body = parse(r.body());
    if (row.status() >= 400) {
      assertThat(body.path("error").isTextual()).as("%s", r).isTrue();
      assertThat(body.path("error").asText()).as("%s", r).contains(row.error()).hasSizeLessThan(300);
      assertThat(body.path("error").asText()).as("no exception text")
          .doesNotContain("Exception", "at dev.", "at com.", "users[1]");
      if (row.status() != 401 && row.status() != 500) {
        assertThat(db.getCollection("users").countDocuments()).as("users stored").isEqualTo(users);
        assertThat(db.getCollection("threads").countDocuments()).as("threads stored").isEqualTo(threads);
      }
    }
    // still serving
    RawHttp.Response stats = RawHttp.send(server.port(),
        RawHttp.request("GET", "/stats", null, "Authorization: Bearer " + carol));
    assertThat(stats.status()).isEqualTo(200);
  }

  @Test
  void page_andApi_carryTheSecurityHeaders() {
    for (String path : List.of("/", "/app.js", "/style.css", "/stats", "/nowhere")) {
      RawHttp.Response r = RawHttp.send(server.port(), RawHttp.request("GET", path, null,
          "Authorization: Bearer " + carol));
      assertThat(r.header("Content-Security-Policy")).as(path)
          .isEqualTo("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      assertThat(r.header("X-Frame-Options")).as(path).isEqualTo("DENY");
      assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
      assertThat(r.header("Referrer-Policy")).as(path).isEqualTo("no-referrer");
    }
    // nothing inline that a strict policy would block
    String page = RawHttp.send(server.port(), RawHttp.request("GET", "/", null)).body();
    assertThat(page).doesNotContain("<style", " style=", "javascript:")
        .doesNotContainPattern("\\son[a-z]+\\s*=")
        .contains("src=\"/app.js\"")
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)");
  }

  @Test
  void expiredOrNonCanonicalToken_refusesTheWebSocketHandshake_as401Json() {
    DemoClient client = new DemoClient(server.uri());
    for (String bad : List.of(expired, carol + "=", carol.replaceFirst("\\.", ".0"))) {
      TestSocket s = new TestSocket();
      assertThatThrownBy(() -> client.connectAsync(bad, s).join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(WebSocketHandshakeException.class)
          .satisfies(e -> {
            var response = ((WebSocketHandshakeException) e.getCause()).getResponse();
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
          });
    }
    try (TestSocket ok = client.connect(carol)) {
      assertThat(ok.ofType("ready")).hasSize(1);
    }
  }

  @Test
  void unknownWebSocketType_ofUnboundedLength_isEchoedOnlyAsAShortExcerpt() {
    DemoClient client = new DemoClient(server.uri());
    try (TestSocket s = client.connect(carol)) {
      s.send("{\"type\":\"" + "t".repeat(30_000) + "\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> !s.ofType("error").isEmpty());
      String error = s.ofType("error").get(0).get("error").asText();
      assertThat(error).startsWith("unknown message type 'tttt").contains("...' (30000 code points)")
          .hasSizeLessThan(200);
    }
  }

  private static String flipTrailingBits(String token) {
    // 32 MAC bytes are 43 base64url characters: the last one carries 2 unused bits
    char last = token.charAt(token.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int v = alphabet.indexOf(last);
    return token.substring(0, token.length() - 1) + alphabet.charAt(v ^ 1);
  }

  private static JsonNode parse(String body) {
    try {
      return DemoClient.JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
