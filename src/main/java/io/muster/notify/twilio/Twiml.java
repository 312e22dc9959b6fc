package io.muster.notify.twilio;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.MessagingResponse;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Gather;
import com.twilio.twiml.voice.Say;

/** The TwiML Muster answers and places calls with, built by the SDK (which escapes the text). */
final class Twiml {
  private Twiml() {
  }

  /** A voice page: the text, then "press 1"; the key goes to {@code keyPressUrl}. */
  static String page(String text, String keyPressUrl) {
    Gather gather = new Gather.Builder().numDigits(1).method(HttpMethod.POST).action(keyPressUrl)
        .say(new Say.Builder(text + " Press 1 to acknowledge.").build()).build();
    return new VoiceResponse.Builder().gather(gather)
        .say(new Say.Builder("No answer was recorded. Goodbye.").build()).build().toXml();
  }

  /** What a caller hears after pressing a key. */
  static String afterKey(boolean acknowledged) {
    return new VoiceResponse.Builder().say(new Say.Builder(acknowledged
        ? "Thank you. Your acknowledgement is recorded." : "Nothing was recorded. Goodbye.").build()).build().toXml();
  }

  /** No SMS in answer to an inbound SMS (Muster replies through the outbox, so that it is recorded). */
  static String noReply() {
    return new MessagingResponse.Builder().build().toXml();
  }
}
