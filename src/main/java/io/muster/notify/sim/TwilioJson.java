package io.muster.notify.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Twilio's JSON shapes for messages, pages of messages and errors, as the SDK parses them. */
final class TwilioJson {

  static final String API_VERSION = "2010-04-01";

  /** RFC 2822 as Twilio writes it: "Thu, 24 Aug 2023 05:01:45 +0000". */
  private static final DateTimeFormatter RFC_2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

  private TwilioJson() {}

  static String messagesUri(String accountSid) {
    return "/" + API_VERSION + "/Accounts/" + accountSid + "/Messages";
  }

  static JsonObject message(SimMessage m) {
    String uri = messagesUri(m.accountSid()) + "/" + m.sid();
    return new JsonObject()
        .put("account_sid", m.accountSid())
        .put("api_version", API_VERSION)
        .put("body", m.body())
        .put("date_created", rfc2822(m.dateCreated()))
        .put("date_sent", rfc2822(m.dateSent()))
        .put("date_updated", rfc2822(m.dateUpdated()))
        .put("direction", m.direction())
        .put("error_code", null)
        .put("error_message", null)
        .put("from", m.from())
        .put("messaging_service_sid", m.messagingServiceSid())
        .put("num_media", "0")
        .put("num_segments", String.valueOf(m.numSegments()))
        .put("price", null)
        .put("price_unit", "USD")
        .put("sid", m.sid())
        .put("status", m.status())
        .put("subresource_uris", new JsonObject().put("media", uri + "/Media.json"))
        .put("to", m.to())
        .put("uri", uri + ".json");
  }

  /** One page of a list, with Twilio's paging fields (page numbers from 0). */
  static JsonObject page(List<SimMessage> all, PageRequest request) {
    int start = Math.min(request.page() * request.pageSize(), all.size());
    int end = Math.min(start + request.pageSize(), all.size());
    JsonArray messages = new JsonArray();
    all.subList(start, end).forEach(m -> messages.add(message(m)));
    boolean hasNext = end < all.size();
    return new JsonObject()
        .put("end", Math.max(start, end - 1))
        .put("first_page_uri", request.uri(0))
        .put("messages", messages)
        .put("next_page_uri", hasNext ? request.uri(request.page() + 1) : null)
        .put("page", request.page())
        .put("page_size", request.pageSize())
        .put("previous_page_uri", request.page() > 0 ? request.uri(request.page() - 1) : null)
        .put("start", start)
        .put("uri", request.uri(request.page()));
  }

  /** Twilio's error body: {"code": 21604, "message": "...", "more_info": "...", "status": 400}. */
  static JsonObject error(int status, int code, String message) {
    return new JsonObject()
        .put("code", code)
        .put("message", message)
        .put("more_info", "https://www.twilio.com/docs/errors/" + code)
        .put("status", status);
  }

  static String rfc2822(Instant instant) {
    return instant == null ? null : RFC_2822.format(instant);
  }

  /** What a list request asked for, and how to write the URI of any of its pages. */
  record PageRequest(String baseUri, String filterQuery, int page, int pageSize) {
    String uri(int pageNumber) {
      String filters = filterQuery.isEmpty() ? "" : filterQuery + "&";
      return baseUri + "?" + filters + "PageSize=" + pageSize + "&Page=" + pageNumber;
    }
  }
}
