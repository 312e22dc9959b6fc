package io.muster.app;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict JSON, stricter than the lenient codec behind {@code ctx.body().asJsonObject()}: UTF-8
 * only (no byte-order mark, no UTF-16), no comments, no repeated keys, and no text with a NUL or a
 * lone surrogate (PostgreSQL cannot store the one, nothing can read the other).
 */
final class StrictJson {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private StrictJson() {
  }

  /** What is wrong, and where: the field's dotted path, or "body". */
  record Problem(String message, String field) { }

  /** What is wrong with the body, or null when it is strict JSON. */
  static Problem problem(byte[] body) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      return new Problem("the body is not UTF-8", "body");
    }
    if (text.startsWith("\uFEFF")) {
      return new Problem("the body starts with a byte-order mark", "body");
    }
    try (JsonParser parser = FACTORY.createParser(text)) {
      for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
        if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
          String bad = badText(parser.getText());
          if (bad != null) {
            String field = path(parser);
            return new Problem(field + ": " + (t == JsonToken.FIELD_NAME ? "a field name " : "") + bad, field);
          }
        }
      }
      return null;
    } catch (JsonParseException e) {
      return new Problem("the body is not valid JSON: " + e.getOriginalMessage(), "body");
    } catch (IOException e) {
      return new Problem("the body cannot be read", "body");
    }
  }

  /** "systems.power.state" for a value at /systems/power/state; array positions are left out. */
  private static String path(JsonParser parser) {
    StringBuilder path = new StringBuilder();
    for (String part : parser.getParsingContext().pathAsPointer().toString().split("/")) {
      if (!part.isEmpty() && !part.chars().allMatch(Character::isDigit)) {
        path.append(path.length() == 0 ? "" : ".").append(part.replace("~1", "/").replace("~0", "~"));
      }
    }
    return path.length() == 0 ? "body" : path.toString();
  }

  private static String badText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return "contains a NUL character";
      }
      if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
          || Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
        return "contains a broken surrogate pair";
      }
    }
    return null;
  }
}
