package io.muster.live;

import io.vertx.core.json.JsonObject;

/**
 * A journal event as the live stream sends it: encoded once, when the hub gets it, and the same
 * text written to every client that may see it. Only what a client's filter needs stays decoded.
 */
record LiveEvent(long seq, String facilityId, String type, String text) {

  /** Marks {@code event} as the stream's kind "event" and encodes it. */
  static LiveEvent of(JsonObject event) {
    event.put("kind", "event");
    return new LiveEvent(event.getLong("seq"), event.getString("facilityId"), event.getString("type"), event.encode());
  }
}
