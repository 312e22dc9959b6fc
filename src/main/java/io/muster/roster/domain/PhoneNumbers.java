package io.muster.roster.domain;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;

/** E.164 normalisation with libphonenumber; numbers without a country code are read as US. */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private PhoneNumbers() {
  }

  /** The number in E.164 form, or empty if it is not a valid number. */
  public static Optional<String> e164(String raw) {
    if (raw == null || raw.isBlank()) {
      return Optional.empty();
    }
    try {
      PhoneNumber number = UTIL.parse(raw, "US");
      if (!UTIL.isValidNumber(number)) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }
}
