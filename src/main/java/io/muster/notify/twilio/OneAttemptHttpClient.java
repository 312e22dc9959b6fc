package io.muster.notify.twilio;

import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * The SDK's {@link NetworkHttpClient}, made to send each request exactly once, with Muster's
 * timeouts, optionally to another base URL than https://api.twilio.com.
 *
 * <p>What twilio-java 13.0.1 (with httpclient5 5.5) does, read from its source:
 *
 * <ul>
 *   <li>{@code TwilioRestClient.request} calls {@code HttpClient.reliableRequest(request)}, which
 *       repeats the request up to 3 times, 100 ms apart, while the status is any 5xx
 *       ({@code RETRY_CODES = {ANY_500}}). 429 is not retried by the SDK. A 401 is repeated once,
 *       but only with a bearer-token auth strategy, which Muster does not use. Here
 *       {@link #shouldRetry} answers false, so the loop always stops after its first attempt.
 *   <li>Apache HttpClient 5's default {@code DefaultHttpRequestRetryStrategy} (which the SDK's
 *       client gets) re-sends once, after {@code Retry-After} or 1 s, on a 429 or 503 answer,
 *       whatever the method (a POST that creates a message included), and once on some I/O errors
 *       for idempotent methods (GET: fetch and list). The client is therefore built with
 *       {@code disableAutomaticRetries()}.
 *   <li>{@code NetworkHttpClient.makeRequest} overwrites every request's config with the static
 *       {@code DEFAULT_REQUEST_CONFIG} (connect 30.5 s, pool wait 10 s, no response timeout), so a
 *       client-wide default config is ignored. An exec-chain interceptor puts Muster's config back
 *       into the exchange context before the connection is leased; the connect timeout comes from
 *       the pool's {@link ConnectionConfig}, the response timeout from the request config.
 *   <li>The SDK builds absolute URLs ({@code https://api.twilio.com/2010-04-01/...}) and offers no
 *       base-URL setting. {@link #makeRequest} copies each request onto the configured base, keeping
 *       path and query; redirects stay off as in the SDK.
 * </ul>
 *
 * <p>Thread-safe: the SDK's request objects are per call, the Apache client is thread-safe, and the
 * status seen by the current thread is kept in a {@link ThreadLocal}.
 */
public final class OneAttemptHttpClient extends NetworkHttpClient implements AutoCloseable {

  private static final String TWILIO_DOMAIN = ".twilio.com";

  private final String baseUrl;
  private final ThreadLocal<Integer> lastStatus = new ThreadLocal<>();

  /** {@code baseUrl} null: https://api.twilio.com; otherwise e.g. {@code http://127.0.0.1:8090}, no trailing slash. */
  public OneAttemptHttpClient(String baseUrl, Duration connectTimeout, Duration responseTimeout) {
    super(clientBuilder(connectTimeout, responseTimeout));
    this.baseUrl = baseUrl == null || !baseUrl.endsWith("/") ? baseUrl : baseUrl.substring(0, baseUrl.length() - 1);
  }

  @Override
  public Response makeRequest(Request request) {
    lastStatus.remove();
    Response response = super.makeRequest(baseUrl == null ? request : rebased(request));
    lastStatus.set(response.getStatusCode());
    return response;
  }

  /** The SDK's retry loop asks this after every attempt: never again. */
  @Override
  protected boolean shouldRetry(Response response, int[] retryCodes) {
    return false;
  }

  /** The HTTP status of this thread's last answered request, if it got one. */
  OptionalInt lastStatus() {
    Integer status = lastStatus.get();
    return status == null ? OptionalInt.empty() : OptionalInt.of(status);
  }

  void forgetLastStatus() {
    lastStatus.remove();
  }

  @Override
  public void close() throws IOException {
    client.close();
  }

  private static HttpClientBuilder clientBuilder(Duration connectTimeout, Duration responseTimeout) {
    RequestConfig requestConfig = RequestConfig.custom()
        .setConnectionRequestTimeout(Timeout.of(connectTimeout))
        .setResponseTimeout(Timeout.of(responseTimeout))
        .build();
    ConnectionConfig connectionConfig = ConnectionConfig.custom()
        .setConnectTimeout(Timeout.of(connectTimeout))
        .setSocketTimeout(Timeout.of(responseTimeout))
        .build();
    PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
        .setDefaultConnectionConfig(connectionConfig)
        .setMaxConnPerRoute(20)
        .setMaxConnTotal(100)
        .build();
    return HttpClientBuilder.create()
        .useSystemProperties()
        .setConnectionManager(pool)
        .setDefaultRequestConfig(requestConfig)
        .disableAutomaticRetries()
        .addExecInterceptorFirst("muster-request-config", restoring(requestConfig));
  }

  /** Replaces the SDK's per-request config (see the class comment) with Muster's. */
  private static ExecChainHandler restoring(RequestConfig config) {
    return (request, scope, chain) -> {
      scope.clientContext.setRequestConfig(config);
      return chain.proceed(request, scope);
    };
  }

  /** The same request, addressed to the configured base instead of Twilio's host. */
  private Request rebased(Request original) {
    Request copy = new Request(original.getMethod(), rebasedUrl(original.getUrl()));
    copyParams(original.getQueryParams(), copy::addQueryParam);
    copyParams(original.getPostParams(), copy::addPostParam);
    copyParams(original.getHeaderParams(), copy::addHeaderParam);
    copy.setFormParameters(original.getFormParameters());
    copy.setContentType(original.getContentType());
    copy.setBody(original.getBody());
    copy.setUserAgentExtensions(original.getUserAgentExtensions());
    if (original.getUsername() != null) {
      copy.setAuth(original.getUsername(), original.getPassword());
    } else if (original.getAuthStrategy() != null) {
      copy.setAuth(original.getAuthStrategy());
    }
    return copy;
  }

  /** Keeps the path and query exactly as the SDK wrote them (it encodes them later, once). */
  private String rebasedUrl(String url) {
    int hostStart = url.indexOf("://") + 3;
    int pathStart = url.indexOf('/', hostStart);
    String host = url.substring(hostStart, pathStart < 0 ? url.length() : pathStart);
    if (!host.endsWith(TWILIO_DOMAIN)) {
      return url;
    }
    return baseUrl + (pathStart < 0 ? "" : url.substring(pathStart));
  }

  private interface ParamSink {
    void add(String name, String value);
  }

  private static void copyParams(Map<String, List<String>> params, ParamSink sink) {
    params.forEach((name, values) -> values.forEach(value -> sink.add(name, value)));
  }
}
