package io.muster.notify.domain;

import java.util.Locale;
import java.util.Set;

/** What staff text back. Case and surrounding spaces do not matter. */
public final class Replies {
  private static final Set<String> ACK = Set.of("1", "ACK", "YES", "Y", "OK");
  /** Twilio's opt-out, opt-in and help keywords, which carriers require every sender to honour. */
  private static final Set<String> STOP = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT");
  private static final Set<String> START = Set.of("START", "UNSTOP");
  private static final Set<String> HELP = Set.of("HELP", "INFO");
  private static final java.util.regex.Pattern WITH_REF =
      java.util.regex.Pattern.compile("(\\S+)\\s+\\[?([A-Za-z0-9]{5})]?");

  /** The short text sent back when a reply is not understood, or on HELP. */
  public static final String HELP_TEXT = "Muster alerts: reply 1 or ACK to acknowledge your latest page, or the number"
      + " of your answer to a call-out. To answer an older one add its code, e.g. \"1 KP3RJ\". STOP ends texts,"
      + " START resumes them.";

  /** What a reply asks for, before Muster looks at what is open for the person. */
  public sealed interface Kind { }

  /** STOP and its synonyms: put the number on the opt-out list. */
  public record Stop() implements Kind { }

  /** START (or YES from someone opted out): take it off. */
  public record Start() implements Kind { }

  public record Help() implements Kind { }

  /** A number: the answer to the newest open request (or, with {@code ref}, that incident's). */
  public record Number(int choice, String ref) implements Kind { }

  /** ACK, YES, OK, Y: acknowledge the newest open page (or, with {@code ref}, that incident's). */
  public record Ack(String ref) implements Kind { }

  /** Anything else (another feature's keywords, or not understood). */
  public record Other() implements Kind { }

  /**
   * The carriers' keywords first (STOP, START, HELP, which every sender must honour), then a
   * number or an acknowledgement, each optionally followed by an incident reference.
   */
  public static Kind classify(String body, boolean optedOut) {
    if (isStop(body)) {
      return new Stop();
    }
    if (isStart(body, optedOut)) {
      return new Start();
    }
    if (isHelp(body)) {
      return new Help();
    }
    Parsed reply = parse(body);
    if (reply.answer().matches("[1-9]")) {
      return new Number(Integer.parseInt(reply.answer()), reply.ref());
    }
    return isAck(reply.answer()) ? new Ack(reply.ref()) : new Other();
  }

  /** A reply split into its answer and, when given, the incident reference it is for ("2 KP3RJ"). */
  public record Parsed(String answer, String ref) { }

  public static Parsed parse(String body) {
    String text = body == null ? "" : body.strip();
    java.util.regex.Matcher m = WITH_REF.matcher(text);
    if (m.matches()) {
      return new Parsed(m.group(1), m.group(2).toUpperCase(Locale.ROOT));
    }
    return new Parsed(text, null);
  }

  public static boolean isStop(String body) {
    return body != null && STOP.contains(body.strip().toUpperCase(Locale.ROOT));
  }

  /** START and UNSTOP; YES too, but only from someone who has opted out (else it acknowledges). */
  public static boolean isStart(String body, boolean optedOut) {
    String word = body == null ? "" : body.strip().toUpperCase(Locale.ROOT);
    return START.contains(word) || (optedOut && "YES".equals(word));
  }

  public static boolean isHelp(String body) {
    return body != null && HELP.contains(body.strip().toUpperCase(Locale.ROOT));
  }

  private Replies() {
  }

  public static boolean isAck(String body) {
    return body != null && ACK.contains(body.strip().toUpperCase(Locale.ROOT));
  }
}
