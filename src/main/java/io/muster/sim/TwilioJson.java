package io.muster.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Twilio's JSON shapes for messages, calls, pages of them and errors, as the SDK parses them. */
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
        .put("error_code", m.errorCode())
        .put("error_message", m.errorCode() == null ? null : errorText(m.errorCode()))
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

  static String callsUri(String accountSid) {
    return "/" + API_VERSION + "/Accounts/" + accountSid + "/Calls";
  }

  /** Twilio's Call resource as the SDK's {@code Call} parses it. */
  static JsonObject call(SimCall c) {
    String uri = callsUri(c.accountSid()) + "/" + c.sid();
    JsonObject subresources = new JsonObject();
    for (String name : List.of("events", "notifications", "payments", "recordings", "siprec", "streams",
        "transcriptions", "user_defined_message_subscriptions", "user_defined_messages")) {
      String file = switch (name) {
        case "user_defined_message_subscriptions" -> "UserDefinedMessageSubscriptions";
        case "user_defined_messages" -> "UserDefinedMessages";
        case "siprec" -> "Siprec";
        default -> Character.toUpperCase(name.charAt(0)) + name.substring(1);
      };
      subresources.put(name, uri + "/" + file + ".json");
    }
    return new JsonObject()
        .put("account_sid", c.accountSid())
        .put("annotation", null)
        .put("answered_by", null)
        .put("api_version", API_VERSION)
        .put("caller_name", null)
        .put("date_created", rfc2822(c.dateCreated()))
        .put("date_updated", rfc2822(c.dateUpdated()))
        .put("direction", SimCall.OUTBOUND)
        .put("duration", c.durationSeconds() == null ? null : String.valueOf(c.durationSeconds()))
        .put("end_time", rfc2822(c.endTime()))
        .put("forwarded_from", null)
        .put("from", c.from())
        .put("from_formatted", c.from())
        .put("group_sid", null)
        .put("parent_call_sid", null)
        .put("phone_number_sid", null)
        .put("price", null)
        .put("price_unit", "USD")
        .put("queue_time", "0")
        .put("sid", c.sid())
        .put("start_time", rfc2822(c.startTime()))
        .put("status", c.status())
        .put("subresource_uris", subresources)
        .put("to", c.to())
        .put("to_formatted", c.to())
        .put("trunk_sid", null)
        .put("uri", uri + ".json");
  }

  /** One page of a list of messages, with Twilio's paging fields (page numbers from 0). */
  static JsonObject page(List<SimMessage> all, PageRequest request) {
    return page("messages", all, TwilioJson::message, request);
  }

  /** One page of a list under {@code key} ("messages", "calls"), with Twilio's paging fields. */
  static <T> JsonObject page(String key, List<T> all, Function<T, JsonObject> json, PageRequest request) {
    int start = Math.min(request.page() * request.pageSize(), all.size());
    int end = Math.min(start + request.pageSize(), all.size());
    JsonArray items = new JsonArray();
    all.subList(start, end).forEach(item -> items.add(json.apply(item)));
    boolean hasNext = end < all.size();
    return new JsonObject()
        .put("end", Math.max(start, end - 1))
        .put("first_page_uri", request.uri(0))
        .put(key, items)
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

  /** Twilio's short description of an error code, as its error pages title them. */
  static String errorText(int code) {
    return switch (code) {
      case 20003 -> "Authenticate";
      case 20404 -> "The requested resource was not found";
      case 20429 -> "Too Many Requests";
      case 20500 -> "Internal Server Error";
      case 20503 -> "Service Unavailable";
      case 21610 -> "Attempt to send to unsubscribed recipient";
      case 21211 -> "Invalid 'To' Phone Number";
      case 21614 -> "'To' number is not a valid mobile number";
      case 30001 -> "Queue overflow";
      case 30002 -> "Account suspended";
      case 30003 -> "Unreachable destination handset";
      case 30004 -> "Message blocked";
      case 30005 -> "Unknown destination handset";
      case 30006 -> "Landline or unreachable carrier";
      case 30007 -> "Message filtered";
      case 30008 -> "Unknown error";
      default -> code > 20000 && code < 20600 ? "HTTP " + (code - 20000) : "Error " + code;
    };
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
