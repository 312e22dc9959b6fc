package io.muster.common;

import java.util.Objects;

/**
 * How many SMS segments a message takes, counted as carriers (and Twilio, which bills per segment)
 * count them.
 *
 * <p>A message made only of characters of the GSM 03.38 (3GPP TS 23.038) default alphabet is sent
 * as GSM-7: 7 bits a character, so 160 characters in one SMS. The characters of the alphabet's
 * extension table ({@code ^ { } \ [ ~ ] | €} and form feed) are sent as an escape plus a code, two
 * septets each. One character outside both tables, say an emoji, a curly quote or "ê" ("é" is in
 * the alphabet), sends the whole message as UCS-2: 16 bits per UTF-16 code unit, 70 in one SMS.
 *
 * <p>A longer message is split into segments that each start with a 6-byte user data header, which
 * leaves 153 septets (GSM-7) or 67 code units (UCS-2) per segment. A segment never ends between an
 * escape and its code, nor between the two halves of a surrogate pair; the character moves whole
 * to the next segment.
 *
 * <p>National language shift tables are not used (Twilio does not use them either).
 */
public final class Segments {
  /** How a message is encoded on the air. */
  public enum Encoding {
    GSM7("GSM-7"), UCS2("UCS-2");

    private final String label;

    Encoding(String label) {
      this.label = label;
    }

    /** "GSM-7" or "UCS-2". */
    public String label() {
      return label;
    }
  }

  /** Septets in a GSM-7 message that fits in one SMS. */
  public static final int GSM7_SINGLE = 160;
  /** Septets per segment of a longer GSM-7 message (the rest is the user data header). */
  public static final int GSM7_PER_SEGMENT = 153;
  /** UTF-16 code units in a UCS-2 message that fits in one SMS. */
  public static final int UCS2_SINGLE = 70;
  /** UTF-16 code units per segment of a longer UCS-2 message. */
  public static final int UCS2_PER_SEGMENT = 67;

  /**
   * The GSM 03.38 default alphabet, one septet each, in code order 0x00 to 0x7F without the escape
   * (0x1B), which leads into the extension table.
   */
  static final String BASIC = "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5" // 0x00
      + "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9" // 0x10, no 0x1B
      + " !\"#\u00a4%&'()*+,-./" // 0x20
      + "0123456789:;<=>?" // 0x30
      + "\u00a1ABCDEFGHIJKLMNO" // 0x40
      + "PQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7" // 0x50
      + "\u00bfabcdefghijklmno" // 0x60
      + "pqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"; // 0x70

  /** The extension table: form feed ^ { } \ [ ~ ] | €, an escape plus a code, two septets each. */
  static final String EXTENSION = "\f^{}\\[~]|\u20ac";

  private Segments() {
  }

  /** GSM-7 if every character is in the GSM 03.38 alphabet or its extension table, else UCS-2. */
  public static Encoding encoding(String text) {
    Objects.requireNonNull(text, "text");
    for (int i = 0; i < text.length(); i++) {
      if (septets(text.charAt(i)) == 0) {
        return Encoding.UCS2;
      }
    }
    return Encoding.GSM7;
  }

  /**
   * The number of SMS segments the text takes. The empty text takes none: there is nothing to send
   * (Twilio refuses an empty body).
   */
  public static int count(String text) {
    if (encoding(text) == Encoding.GSM7) {
      int[] sizes = text.chars().map(Segments::septets).toArray();
      return segments(sizes, GSM7_SINGLE, GSM7_PER_SEGMENT);
    }
    int[] sizes = text.codePoints().map(Character::charCount).toArray();
    return segments(sizes, UCS2_SINGLE, UCS2_PER_SEGMENT);
  }

  /**
   * The length as counted for segments: septets for GSM-7 (2 for an extension character), UTF-16
   * code units for UCS-2 (2 for an emoji).
   */
  public static int length(String text) {
    return encoding(text) == Encoding.GSM7 ? text.chars().map(Segments::septets).sum() : text.length();
  }

  /** The characters that make the text UCS-2, each once, in order; empty for a GSM-7 text. */
  public static String nonGsm7(String text) {
    Objects.requireNonNull(text, "text");
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .filter(cp -> Character.isSupplementaryCodePoint(cp) || septets((char) cp) == 0)
        .distinct()
        .forEach(out::appendCodePoint);
    return out.toString();
  }

  /** "1 segment, GSM-7", "3 segments, UCS-2". */
  public static String describe(String text) {
    int n = count(text);
    return n + (n == 1 ? " segment, " : " segments, ") + encoding(text).label();
  }

  /** 1 for the default alphabet, 2 for the extension table, 0 for a character GSM-7 cannot send. */
  private static int septets(int c) {
    if (BASIC.indexOf(c) >= 0) {
      return 1;
    }
    return EXTENSION.indexOf(c) >= 0 ? 2 : 0;
  }

  /** Packs the characters (each {@code sizes[i]} units, never split) into segments. */
  private static int segments(int[] sizes, int single, int perSegment) {
    int total = 0;
    for (int size : sizes) {
      total += size;
    }
    if (total == 0) {
      return 0;
    }
    if (total <= single) {
      return 1;
    }
    int segments = 1;
    int used = 0;
    for (int size : sizes) {
      if (used + size > perSegment) {
        segments++;
        used = 0;
      }
      used += size;
    }
    return segments;
  }
}
