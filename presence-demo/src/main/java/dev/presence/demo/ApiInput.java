package dev.presence.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * What the API accepts from a client, and the 4xx it answers otherwise: the request body (JSON,
 * declared as such, bounded in bytes, nesting depth and number length, exactly one value) and the
 * fields in it (user ids, thread names). Every message names the problem and quotes client input
 * only as a {@link ClientText#excerpt(String) short excerpt}. Stateless, hence thread-safe; not
 * instantiable.
 */
final class ApiInput {
  /** The largest request body, in bytes (413 above). */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** The deepest nesting of arrays and objects in a request body (400 above). */
  static final int MAX_NESTING_DEPTH = 32;
  /** The longest number in a request body, in characters (400 above). */
  static final int MAX_NUMBER_LENGTH = 100;
  /** The longest thread name, in code points after stripping outer white space. */
  static final int MAX_THREAD_NAME = 200;

  private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(MAX_NESTING_DEPTH)
              .maxNumberLength(MAX_NUMBER_LENGTH)
              .maxStringLength(MAX_BODY_BYTES)
              .build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private ApiInput() {}

  /**
   * Refuses a request that carries a body not declared as {@code application/json} (an optional
   * {@code charset} parameter must be UTF-8): 415. A request without a body passes.
   *
   * @param req the request
   * @throws ApiError 415
   */
  static void requireJsonIfBody(HttpServletRequest req) {
    boolean hasBody = req.getContentLengthLong() > 0 || req.getHeader("Transfer-Encoding") != null;
    if (hasBody && !isJson(req.getContentType())) {
      throw new ApiError(415, "a request body must be sent as Content-Type: application/json, not "
          + (req.getContentType() == null ? "without one" : ClientText.excerpt(req.getContentType())));
    }
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].strip().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].strip();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase("charset")) {
        String charset = p.substring(eq + 1).strip().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Reads the body as one JSON object.
   *
   * @param req the request
   * @return the object
   * @throws ApiError 415 if not declared as JSON, 413 if too large, 400 if not exactly one JSON
   *     object within the limits
   * @throws IOException if reading fails
   */
  static ObjectNode body(HttpServletRequest req) throws IOException {
    requireJsonIfBody(req);
    byte[] bytes;
    try (InputStream in = req.getInputStream()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new ApiError(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (StreamConstraintsException e) {
      throw new ApiError(400, limitMessage(e));
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      String what = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")
          ? "content after the JSON value" : e.getOriginalMessage();
      throw new ApiError(400, "malformed JSON: " + what + at);
    }
    if (node == null || node.isMissingNode()) {
      throw new ApiError(400, "request body must be a JSON object but was empty");
    }
    if (!node.isObject()) {
      throw new ApiError(400, "request body must be a JSON object but was " + describe(node));
    }
    return (ObjectNode) node;
  }

  private static String limitMessage(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("nesting depth")) {
      return "JSON nested deeper than " + MAX_NESTING_DEPTH + " levels";
    }
    if (m.contains("Number value length")) {
      return "JSON number longer than " + MAX_NUMBER_LENGTH + " characters";
    }
    if (m.contains("String value length")) {
      return "JSON string longer than " + MAX_BODY_BYTES + " characters";
    }
    return "JSON over a parser limit";
  }

  /**
   * Returns the user id in {@code body.field}.
   *
   * @throws ApiError 400 naming the field if it is not a valid user id
   */
  static String userId(ObjectNode body, String field) {
    return userIdValue(body.get(field), field);
  }

  /**
   * Returns the user id in {@code v}.
   *
   * @throws ApiError 400 naming the field if it is not a valid user id
   */
  static String userIdValue(JsonNode v, String field) {
    if (v == null || !v.isTextual()) {
      throw new ApiError(400, field + " must be a string but was " + describe(v));
    }
    if (!DemoStore.isValidUserId(v.textValue())) {
      throw new ApiError(400, field + " must be 1 to 64 letters, digits, '_', '-' or '.': "
          + ClientText.excerpt(v.textValue()));
    }
    return v.textValue();
  }

  /**
   * Returns the thread name in {@code body.name}, stripped of outer white space.
   *
   * @throws ApiError 400 if it is not a string of 1 to {@value #MAX_THREAD_NAME} code points free
   *     of control and bidirectional-override characters
   */
  static String threadName(ObjectNode body) {
    JsonNode name = body.get("name");
    if (name == null || !name.isTextual()) {
      throw new ApiError(400, "name must be a string but was " + describe(name));
    }
    String text = name.textValue().strip();
    int unsafe = ClientText.firstUnsafe(text);
    if (unsafe >= 0) {
      throw new ApiError(400, String.format(Locale.ROOT,
          "name must not contain control or bidirectional-override characters: U+%04X at index %d",
          text.codePointAt(unsafe), text.codePointCount(0, unsafe)));
    }
    int length = text.codePointCount(0, text.length());
    if (length == 0 || length > MAX_THREAD_NAME) {
      throw new ApiError(400, "name must be 1 to " + MAX_THREAD_NAME + " characters but was "
          + length + ": " + ClientText.excerpt(text));
    }
    return text;
  }

  static String describe(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    return n.getNodeType().toString().toLowerCase(Locale.ROOT);
  }
}
