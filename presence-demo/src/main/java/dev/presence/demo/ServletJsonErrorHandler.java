package dev.presence.demo;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@link JsonErrorHandler} for errors raised inside the servlet context (an ambiguous or
 * malformed path, an exception escaping a servlet): the same {@code {"error": "..."}} as
 * {@code application/json}. Stateless, hence thread-safe.
 */
final class ServletJsonErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
  private static final String JSON = "application/json";

  ServletJsonErrorHandler() {
    setShowStacks(false);
    setShowCauses(false);
    setShowMessageInTitle(false);
    setDefaultResponseMimeType(JSON);
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
    writer.write(JsonErrorHandler.body(code, message));
  }
}
