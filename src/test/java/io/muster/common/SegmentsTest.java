package io.muster.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.common.Segments.Encoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SegmentsTest {
  private static final String EMOJI = "\uD83D\uDE91"; // 🚑, a surrogate pair

  private static String gsm(int n) {
    return "a".repeat(n);
  }

  @Test
  @DisplayName("the tables: 127 one-septet characters (128 codes less the escape) and 10 extension characters")
  void tables() {
    assertThat(Segments.BASIC.chars().distinct().count()).isEqualTo(127);
    assertThat(Segments.BASIC.length()).isEqualTo(127);
    assertThat(Segments.EXTENSION).hasSize(10);
    assertThat(Segments.BASIC.chars().filter(c -> Segments.EXTENSION.indexOf(c) >= 0)).isEmpty();
    assertThat(Segments.BASIC).doesNotContain("\u001b");
  }

  @Test
  @DisplayName("the empty text takes no segment and is GSM-7")
  void empty() {
    assertThat(Segments.count("")).isZero();
    assertThat(Segments.encoding("")).isEqualTo(Encoding.GSM7);
    assertThat(Segments.length("")).isZero();
    assertThat(Segments.describe("")).isEqualTo("0 segments, GSM-7");
  }

  @Test
  @DisplayName("null is refused")
  void nullText() {
    assertThatThrownBy(() -> Segments.count(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Segments.encoding(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("GSM-7: 160 characters are one SMS, 161 are two")
  void gsmSingleLimit() {
    assertThat(Segments.count(gsm(1))).isEqualTo(1);
    assertThat(Segments.count(gsm(160))).isEqualTo(1);
    assertThat(Segments.count(gsm(161))).isEqualTo(2);
    assertThat(Segments.describe(gsm(160))).isEqualTo("1 segment, GSM-7");
    assertThat(Segments.describe(gsm(161))).isEqualTo("2 segments, GSM-7");
  }

  @Test
  @DisplayName("GSM-7: a longer message goes 153 septets a segment: 306 are two, 307 three, 459 three, 460 four")
  void gsmMultiLimit() {
    assertThat(Segments.count(gsm(153 * 2))).isEqualTo(2);
    assertThat(Segments.count(gsm(153 * 2 + 1))).isEqualTo(3);
    assertThat(Segments.count(gsm(153 * 3))).isEqualTo(3);
    assertThat(Segments.count(gsm(153 * 3 + 1))).isEqualTo(4);
    assertThat(Segments.count(gsm(1530))).isEqualTo(10);
  }

  @ParameterizedTest
  @ValueSource(strings = {"^", "{", "}", "\\", "[", "~", "]", "|", "\u20ac", "\f"})
  @DisplayName("each extension character is GSM-7 and costs two septets")
  void extensionCostsTwo(String c) {
    assertThat(Segments.encoding(c)).isEqualTo(Encoding.GSM7);
    assertThat(Segments.length(c)).isEqualTo(2);
    assertThat(Segments.count(gsm(158) + c)).as("158 + 2 = 160").isEqualTo(1);
    assertThat(Segments.count(gsm(159) + c)).as("159 + 2 = 161").isEqualTo(2);
  }

  @Test
  @DisplayName("80 extension characters are 160 septets (one SMS); 81 are two SMS")
  void onlyExtension() {
    assertThat(Segments.count("{".repeat(80))).isEqualTo(1);
    assertThat(Segments.count("{".repeat(81))).isEqualTo(2);
  }

  @Test
  @DisplayName("an escape pair is not split: one that would straddle 153 septets moves whole to the next segment")
  void escapeNotSplit() {
    // 152 + 2 + 152 = 306 septets, exactly two segments by length, but the euro sign cannot sit at
    // 153-154: the first segment ends at 152, the second holds 2 + 152 = 154 > 153.
    String straddling = gsm(152) + "\u20ac" + gsm(152);
    assertThat(Segments.length(straddling)).isEqualTo(306);
    assertThat(Segments.count(straddling)).isEqualTo(3);

    // The same characters with the pair fully inside the first segment: two segments.
    String inside = gsm(151) + "\u20ac" + gsm(153);
    assertThat(Segments.length(inside)).isEqualTo(306);
    assertThat(Segments.count(inside)).isEqualTo(2);
  }

  @Test
  @DisplayName("plain ASCII text with GSM-only punctuation stays GSM-7")
  void asciiIsGsm() {
    String text = "DRILL - [AB3CD] Mass casualty incident (critical) at Muster General: 20 hurt, ETA 9 min."
        + " Reply 1 to acknowledge. @home? 50% #3 & \"quoted\" 'single' ; < > = _ / * + ! $";
    assertThat(Segments.encoding(text)).isEqualTo(Encoding.GSM7);
    assertThat(Segments.nonGsm7(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u00e9", "\u00e8", "\u00c9", "\u00fc", "\u00e0", "\u00c7", "\u00f1", "\u00df", "\u00a3",
      "\u00a5", "\u00a7", "\u00bf", "\u00a1", "\u0394", "\u03a9", "\n", "\r"})
  @DisplayName("accented letters, Greek capitals and newlines of the GSM alphabet are one septet")
  void gsmLetters(String c) {
    assertThat(Segments.encoding(c)).isEqualTo(Encoding.GSM7);
    assertThat(Segments.length(c)).isEqualTo(1);
    assertThat(Segments.count(gsm(159) + c)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u00ea", "\u00e7", "\u00e1", "\u00ed", "\u2019", "\u201c", "\u2014", "\u2026", "`",
      "\u00a0", "\t", "\u03b1", "\u00b0"})
  @DisplayName("ê, á, a curly quote, an em dash, a backtick, a tab, a lowercase Greek letter force UCS-2")
  void notGsm(String c) {
    assertThat(Segments.encoding("Fire at " + c)).isEqualTo(Encoding.UCS2);
    assertThat(Segments.nonGsm7("Fire at " + c)).isEqualTo(c);
  }

  @Test
  @DisplayName("one é keeps 160 characters in one SMS; one ê makes them UCS-2: three segments")
  void oneAccent() {
    assertThat(Segments.describe(gsm(159) + "\u00e9")).isEqualTo("1 segment, GSM-7");
    assertThat(Segments.describe(gsm(159) + "\u00ea")).isEqualTo("3 segments, UCS-2");
  }

  @Test
  @DisplayName("Twilio's own example: 152 GSM characters and one Unicode character take three segments")
  void twilioExample() {
    assertThat(Segments.count(gsm(152) + "\u2019")).isEqualTo(3);
  }

  @Test
  @DisplayName("UCS-2: 70 code units are one SMS, 71 are two; then 67 a segment")
  void ucs2Limits() {
    String u = "\u00ea";
    assertThat(Segments.count(u)).isEqualTo(1);
    assertThat(Segments.count(u.repeat(70))).isEqualTo(1);
    assertThat(Segments.count(u.repeat(71))).isEqualTo(2);
    assertThat(Segments.count(u.repeat(67 * 2))).isEqualTo(2);
    assertThat(Segments.count(u.repeat(67 * 2 + 1))).isEqualTo(3);
    assertThat(Segments.count(u.repeat(67 * 3))).isEqualTo(3);
    assertThat(Segments.count(u.repeat(67 * 3 + 1))).isEqualTo(4);
    assertThat(Segments.length(u.repeat(71))).isEqualTo(71);
  }

  @Test
  @DisplayName("UCS-2: extension characters cost one code unit, like any other BMP character")
  void extensionInUcs2() {
    String text = "\u00ea" + "{".repeat(69);
    assertThat(Segments.encoding(text)).isEqualTo(Encoding.UCS2);
    assertThat(Segments.length(text)).isEqualTo(70);
    assertThat(Segments.count(text)).isEqualTo(1);
  }

  @Test
  @DisplayName("one emoji makes the message UCS-2 and counts two code units")
  void oneEmoji() {
    assertThat(Segments.encoding(EMOJI)).isEqualTo(Encoding.UCS2);
    assertThat(Segments.length(EMOJI)).isEqualTo(2);
    assertThat(Segments.describe(EMOJI)).isEqualTo("1 segment, UCS-2");
    assertThat(Segments.count(gsm(68) + EMOJI)).as("68 + 2 = 70").isEqualTo(1);
    assertThat(Segments.count(gsm(69) + EMOJI)).as("69 + 2 = 71").isEqualTo(2);
    assertThat(Segments.nonGsm7("a" + EMOJI + "b" + EMOJI)).isEqualTo(EMOJI);
  }

  @Test
  @DisplayName("a surrogate pair is not split: one that would straddle 67 code units moves whole to the next segment")
  void surrogateNotSplit() {
    // 66 + 2 + 66 = 134 code units, two segments by length, but the emoji cannot sit at 67-68.
    String straddling = gsm(66) + EMOJI + gsm(66);
    assertThat(Segments.length(straddling)).isEqualTo(134);
    assertThat(Segments.count(straddling)).isEqualTo(3);

    String inside = gsm(65) + EMOJI + gsm(67);
    assertThat(Segments.count(inside)).isEqualTo(2);

    // 67 emoji: 134 code units, but only 33 fit a segment (66 units): 67 / 33 rounds up to 3.
    assertThat(Segments.count(EMOJI.repeat(67))).isEqualTo(3);
    assertThat(Segments.count(EMOJI.repeat(35))).as("70 units, one SMS").isEqualTo(1);
    assertThat(Segments.count(EMOJI.repeat(36))).as("72 units: 33 + 3").isEqualTo(2);
  }

  @Test
  @DisplayName("a lone surrogate is not GSM-7 and counts one code unit")
  void loneSurrogate() {
    String lone = "\uD83D";
    assertThat(Segments.encoding(lone)).isEqualTo(Encoding.UCS2);
    assertThat(Segments.count(gsm(69) + lone)).isEqualTo(1);
    assertThat(Segments.count(gsm(70) + lone)).isEqualTo(2);
  }
}
