package io.muster.notify.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What staff text back: answers with or without an incident reference, and the carrier keywords. */
class RepliesKeywordsTest {

  @ParameterizedTest(name = "\"{0}\" -> answer {1}, ref {2}")
  @CsvSource(delimiter = '|', value = {
      "2 KP3RJ|2|KP3RJ",
      "ack kp3rj|ack|KP3RJ",
      "1 [KP3RJ]|1|KP3RJ",
      "1 [kp3rj]|1|KP3RJ",
      "'  2   kp3rj  '|2|KP3RJ",
      "YES Kp3Rj|YES|KP3RJ",
  })
  @DisplayName("an answer with an incident reference: the answer as written, the reference upper-cased")
  void withReference(String body, String answer, String ref) {
    Replies.Parsed parsed = Replies.parse(body);
    assertThat(parsed.answer()).isEqualTo(answer);
    assertThat(parsed.ref()).isEqualTo(ref);
  }

  @ParameterizedTest(name = "\"{0}\" -> answer {1}")
  @CsvSource(delimiter = '|', value = {
      "1|1",
      "' 1 '|1",
      "ACK|ACK",
      "' yes '|yes",
      "2 KP3RJX|2 KP3RJX",
      "where do I park?|where do I park?",
  })
  @DisplayName("without a reference: the whole reply (trimmed) is the answer, no reference")
  void withoutReference(String body, String answer) {
    Replies.Parsed parsed = Replies.parse(body);
    assertThat(parsed.answer()).isEqualTo(answer);
    assertThat(parsed.ref()).isNull();
  }

  @Test
  @DisplayName("an empty or missing body parses to an empty answer")
  void emptyBody() {
    assertThat(Replies.parse(null)).isEqualTo(new Replies.Parsed("", null));
    assertThat(Replies.parse("   ")).isEqualTo(new Replies.Parsed("", null));
  }

  @Test
  @DisplayName("a reference alone, as the page shows it ([KP3RJ]), acknowledges nothing")
  void bracketedReferenceAlone() {
    Replies.Parsed parsed = Replies.parse("[KP3RJ]");
    assertThat(Replies.isAck(parsed.answer())).isFalse();
    assertThat(parsed.answer()).doesNotMatch("[1-9]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "ACK", "ack", "Yes", " Y ", "ok", "OK"})
  @DisplayName("acknowledgements, in any case and with spaces around")
  void acks(String body) {
    assertThat(Replies.isAck(body)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2", "no", "ACK ACK", "okay", "", "1 KP3RJ"})
  @DisplayName("not acknowledgements by themselves")
  void notAcks(String body) {
    assertThat(Replies.isAck(body)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"STOP", "stop", " Stop ", "STOPALL", "unsubscribe", "CANCEL", "end", "QUIT"})
  @DisplayName("Twilio's opt-out keywords, in any case and with spaces around")
  void stops(String body) {
    assertThat(Replies.isStop(body)).isTrue();
    assertThat(Replies.isStart(body, true)).isFalse();
    assertThat(Replies.isHelp(body)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"stop it", "STOP 1", "1", "HELP", "START", "stopp"})
  @DisplayName("only the whole reply is a keyword")
  void notStops(String body) {
    assertThat(Replies.isStop(body)).isFalse();
  }

  @Test
  @DisplayName("a missing body is no keyword")
  void nullBody() {
    assertThat(Replies.isStop(null)).isFalse();
    assertThat(Replies.isStart(null, true)).isFalse();
    assertThat(Replies.isHelp(null)).isFalse();
    assertThat(Replies.isAck(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"START", "start", " Unstop "})
  @DisplayName("START and UNSTOP opt back in, whether or not the person opted out")
  void starts(String body) {
    assertThat(Replies.isStart(body, true)).isTrue();
    assertThat(Replies.isStart(body, false)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"YES", "yes", " Yes "})
  @DisplayName("YES opts back in only someone who opted out; from anyone else it acknowledges")
  void yesIsStartOnlyWhenOptedOut(String body) {
    assertThat(Replies.isStart(body, true)).isTrue();
    assertThat(Replies.isStart(body, false)).isFalse();
    assertThat(Replies.isAck(body)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Y", "OK", "1", "starting", "START NOW"})
  @DisplayName("other words do not opt in, even after STOP")
  void notStarts(String body) {
    assertThat(Replies.isStart(body, true)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"HELP", "help", " Help ", "INFO", "info"})
  @DisplayName("HELP and INFO ask for the help text")
  void helps(String body) {
    assertThat(Replies.isHelp(body)).isTrue();
    assertThat(Replies.isStop(body)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"HELP ME", "helpp", "?", "where do I park?"})
  @DisplayName("not the HELP keyword (though anything not understood also gets the help text back)")
  void notHelps(String body) {
    assertThat(Replies.isHelp(body)).isFalse();
  }

  @Test
  @DisplayName("the help text says how to acknowledge, answer an older page, stop and start")
  void helpText() {
    assertThat(Replies.HELP_TEXT).contains("1").contains("ACK").contains("STOP").contains("START");
  }
}
