package dev.presence.demo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error responses (a malformed request line or URI, headers too large, an ambiguous
 * path, a failure outside the API servlet) in the API's format, {@code {"error": "..."}} as
 * {@code application/json}, whatever the client accepts, never an HTML page, a stack trace or an
 * exception's message: a 5xx says only its status, a 4xx its reason cut to a short excerpt.
 * Installed on the server; {@link ServletJsonErrorHandler} does the same for the servlet context.
 * Stateless, hence thread-safe.
 */
final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
  private static final String JSON = "application/json";

  JsonErrorHandler() {
    setShowStacks(false);
    setShowCauses(false);
    setShowMessageInTitle(false);
    setDefaultResponseMimeType(JSON);
  }

  /** The body of an error answer with this status and (Jetty's) reason. */
  static String body(int status, String reason) {
    String text;
    if (status >= 500 || reason == null || reason.isBlank()) {
      String phrase = HttpStatus.getMessage(status);
      text = phrase == null ? "HTTP " + status : phrase.toLowerCase(java.util.Locale.ROOT);
    } else {
      text = ClientText.cut(reason);
    }
    return JsonNodeFactory.instance.objectNode().put("error", text).toString();
  }

  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
      String contentType, List<Charset> charsets, int code, String message, Throwable cause)
      throws java.io.IOException {
    return super.generateAcceptableResponse(request, response, callback, JSON,
        List.of(StandardCharsets.UTF_8), code, message, null);
  }

  @Override
  protected void writeErrorJson(Request request, PrintWriter writer, int code, String message,
      Throwable cause) {
    writer.write(body(code, message));
  }
}
