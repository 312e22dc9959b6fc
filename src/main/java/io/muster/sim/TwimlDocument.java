package io.muster.sim;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The parts of a TwiML voice document the simulated phone acts on: what it says ({@code <Say>},
 * in document order, nested in {@code <Gather>} or not) and the first {@code <Gather>} (its
 * {@code action}, {@code method}, {@code numDigits} and {@code finishOnKey}, with Twilio's defaults).
 * Parsed with DTDs and external entities refused: the TwiML comes from the application.
 */
final class TwimlDocument {

  /** A {@code <Gather>}: {@code action} is null when absent (Twilio then uses the document's URL). */
  record Gather(String action, String method, Integer numDigits, String finishOnKey) {

    /** The Digits Twilio reports for the keys pressed: up to finishOnKey (excluded), at most numDigits. */
    String digits(String pressed) {
      String digits = pressed;
      if (!finishOnKey.isEmpty()) {
        int end = digits.indexOf(finishOnKey);
        if (end >= 0) {
          digits = digits.substring(0, end);
        }
      }
      if (numDigits != null && digits.length() > numDigits) {
        digits = digits.substring(0, numDigits);
      }
      return digits;
    }

    /** The finishOnKey if the keys pressed ended the gather with it, else "" (Twilio's FinishedOnKey). */
    String finishedOnKey(String pressed) {
      if (finishOnKey.isEmpty()) {
        return "";
      }
      int end = pressed.indexOf(finishOnKey);
      return end >= 0 && (numDigits == null || end < numDigits) ? finishOnKey : "";
    }
  }

  private final List<String> says;
  private final Gather gather;

  private TwimlDocument(List<String> says, Gather gather) {
    this.says = says;
    this.gather = gather;
  }

  /** The document, or empty if {@code twiml} is not well-formed XML with a {@code <Response>} root. */
  static Optional<TwimlDocument> parse(String twiml) {
    if (twiml == null || twiml.isBlank()) {
      return Optional.empty();
    }
    try {
      Document document = builder().parse(new InputSource(new StringReader(twiml.strip())));
      Element root = document.getDocumentElement();
      if (!"Response".equals(root.getTagName())) {
        return Optional.empty();
      }
      List<String> says = new ArrayList<>();
      NodeList sayElements = root.getElementsByTagName("Say");
      for (int i = 0; i < sayElements.getLength(); i++) {
        String text = sayElements.item(i).getTextContent().strip();
        if (!text.isEmpty()) {
          says.add(text);
        }
      }
      NodeList gathers = root.getElementsByTagName("Gather");
      Gather gather = gathers.getLength() == 0 ? null : gather((Element) gathers.item(0));
      return Optional.of(new TwimlDocument(List.copyOf(says), gather));
    } catch (SAXException | IOException | ParserConfigurationException e) {
      return Optional.empty();
    }
  }

  List<String> says() {
    return says;
  }

  Optional<Gather> gather() {
    return Optional.ofNullable(gather);
  }

  private static Gather gather(Element element) {
    String action = attribute(element, "action");
    String method = attribute(element, "method");
    Integer numDigits = null;
    String rawDigits = attribute(element, "numDigits");
    if (rawDigits != null) {
      try {
        numDigits = Math.max(1, Integer.parseInt(rawDigits.strip()));
      } catch (NumberFormatException e) {
        numDigits = null; // Twilio warns and gathers without a limit
      }
    }
    String finishOnKey = element.hasAttribute("finishOnKey") ? element.getAttribute("finishOnKey") : "#";
    return new Gather(action, method == null ? "POST" : method.strip().toUpperCase(Locale.ROOT), numDigits,
        finishOnKey);
  }

  private static String attribute(Element element, String name) {
    if (!element.hasAttribute(name)) {
      return null;
    }
    String value = element.getAttribute(name).strip();
    return value.isEmpty() ? null : value;
  }

  private static DocumentBuilder builder() throws ParserConfigurationException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
    factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setXIncludeAware(false);
    factory.setExpandEntityReferences(false);
    factory.setNamespaceAware(false);
    DocumentBuilder builder = factory.newDocumentBuilder();
    builder.setErrorHandler(new DefaultHandler()); // no parse warnings on stderr; errors still throw
    return builder;
  }
}
