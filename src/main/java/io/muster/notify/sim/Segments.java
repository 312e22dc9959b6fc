package io.muster.notify.sim;

/**
 * How many SMS segments a body takes, as a carrier counts them: GSM-7 (160 characters, 153 per part
 * when split, extension characters count twice) or, if any character is outside GSM-7, UCS-2 (70,
 * 67 per part, counted in UTF-16 units).
 */
final class Segments {

  private static final String GSM7_BASIC =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
          + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  private static final String GSM7_EXTENSION = "^{}\\[~]|€\f";

  private Segments() {}

  static int count(String body) {
    int septets = gsm7Septets(body);
    if (septets >= 0) {
      return split(septets, 160, 153);
    }
    return split(body.length(), 70, 67);
  }

  /** Septets needed in GSM-7, or -1 if the body cannot be written in it. */
  private static int gsm7Septets(String body) {
    int septets = 0;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (GSM7_BASIC.indexOf(c) >= 0) {
        septets++;
      } else if (GSM7_EXTENSION.indexOf(c) >= 0) {
        septets += 2;
      } else {
        return -1;
      }
    }
    return septets;
  }

  private static int split(int units, int single, int perPart) {
    return units <= single ? 1 : (units + perPart - 1) / perPart;
  }
}
