package dev.presence.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.ServerHttpAsyncRequestControl;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;

class TokenHandshakeInterceptorTest {
  private final AtomicInteger calls = new AtomicInteger();
  private final TokenHandshakeInterceptor interceptor = TokenHandshakeInterceptor.of(token -> {
    calls.incrementAndGet();
    if (token.equals("boom")) {
      throw new IllegalStateException("verifier failed");
    }
    return token.startsWith("ok ") ? token.substring(3) : null;
  });

  @Test
  void bearerHeader_setsTheUserAttribute() {
    Map<String, Object> attributes = new HashMap<>();
    Response response = new Response();
    HttpHeaders h = new HttpHeaders();
    h.add("Authorization", "Bearer ok ann");
    assertThat(interceptor.beforeHandshake(request("/ws", h), response, null, attributes)).isTrue();
    assertThat(attributes).containsEntry(UserResolver.USER_ATTRIBUTE, "ann");
    assertThat(response.status).isNull();
  }

  @Test
  void queryParameter_isDecoded() {
    Map<String, Object> attributes = new HashMap<>();
    assertThat(interceptor.beforeHandshake(request("/ws?access_token=ok%20b%C3%A9a", new HttpHeaders()),
        new Response(), null, attributes)).isTrue();
    assertThat(attributes).containsEntry(UserResolver.USER_ATTRIBUTE, "béa");
  }

  @Test
  void missingInvalidOversizedOrFailingToken_isRefusedWith401() {
    for (String path : new String[] {"/ws", "/ws?access_token=nope", "/ws?access_token=boom",
        "/ws?access_token=ok%20" + "x".repeat(TokenHandshakeInterceptor.MAX_TOKEN_LENGTH)}) {
      Map<String, Object> attributes = new HashMap<>();
      Response response = new Response();
      assertThat(interceptor.beforeHandshake(request(path, new HttpHeaders()), response, null, attributes))
          .as(path).isFalse();
      assertThat(response.status).as(path).isEqualTo(HttpStatusCode.valueOf(401));
      assertThat(attributes).as(path).isEmpty();
    }
    assertThat(calls.get()).as("the oversized token never reaches the verifier").isEqualTo(2);
  }

  private static ServerHttpRequest request(String path, HttpHeaders headers) {
    URI uri = URI.create("http://127.0.0.1:8080" + path);
    return new ServerHttpRequest() {
      @Override public Principal getPrincipal() { return null; }
      @Override public InetSocketAddress getLocalAddress() { return null; }
      @Override public InetSocketAddress getRemoteAddress() { return null; }
      @Override public ServerHttpAsyncRequestControl getAsyncRequestControl(ServerHttpResponse r) { return null; }
      @Override public HttpMethod getMethod() { return HttpMethod.GET; }
      @Override public URI getURI() { return uri; }
      @Override public Map<String, Object> getAttributes() { return new HashMap<>(); }
      @Override public HttpHeaders getHeaders() { return headers; }
      @Override public InputStream getBody() { return InputStream.nullInputStream(); }
    };
  }

  private static final class Response implements ServerHttpResponse {
    HttpStatusCode status;

    @Override public void setStatusCode(HttpStatusCode status) { this.status = status; }
    @Override public void flush() {}
    @Override public void close() {}
    @Override public HttpHeaders getHeaders() { return new HttpHeaders(); }
    @Override public OutputStream getBody() { return OutputStream.nullOutputStream(); }
  }
}
