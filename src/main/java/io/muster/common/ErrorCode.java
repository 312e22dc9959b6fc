package io.muster.common;

/**
 * Every way a request or command can be refused, with the HTTP status it maps to. Event-bus
 * failures carry the status as their failure code, so one table serves the bus and the API.
 */
public enum ErrorCode {
  INVALID_REQUEST(400, "invalid_request"),
  UNAUTHORIZED(401, "unauthorized"),
  FORBIDDEN(403, "forbidden"),
  BAD_SIGNATURE(403, "bad_signature"),
  NOT_FOUND(404, "not_found"),
  METHOD_NOT_ALLOWED(405, "method_not_allowed"),
  CONFLICT(409, "conflict"),
  PAYLOAD_TOO_LARGE(413, "payload_too_large"),
  URI_TOO_LONG(414, "uri_too_long"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
  UNKNOWN_REFERENCE(422, "unknown_reference"),
  TOO_MANY_REQUESTS(429, "too_many_requests"),
  HEADERS_TOO_LARGE(431, "headers_too_large"),
  INTERNAL(500, "internal_error"),
  UNAVAILABLE(503, "unavailable");

  private final int status;
  private final String id;

  ErrorCode(int status, String id) {
    this.status = status;
    this.id = id;
  }

  public int status() {
    return status;
  }

  public String id() {
    return id;
  }

  public static ErrorCode ofId(String id) {
    for (ErrorCode c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    return INTERNAL;
  }

  public static ErrorCode ofStatus(int status) {
    for (ErrorCode c : values()) {
      if (c.status == status) {
        return c;
      }
    }
    return status >= 500 ? INTERNAL : INVALID_REQUEST;
  }
}
