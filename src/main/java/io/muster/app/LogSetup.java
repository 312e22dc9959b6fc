package io.muster.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * Muster's logging, set up in code (Logback finds it as a service) rather than from an XML file,
 * whose parser and model load some 600 classes before a node can do anything else: one console
 * appender; Hazelcast, HikariCP, Flyway, Netty, Apache HttpClient and the Twilio SDK at WARN; the
 * rest at {@code MUSTER_LOG_LEVEL} (INFO). INFO never carries phone numbers or message text; those
 * appear at DEBUG only. To log otherwise, give Logback a file of your own with
 * {@code -Dlogback.configurationFile=FILE}: this then steps aside.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
  static final List<String> QUIET = List.of("com.hazelcast", "com.zaxxer.hikari", "org.flywaydb", "io.netty",
      "org.apache.hc", "com.twilio");

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level(System.getProperty("MUSTER_LOG_LEVEL", System.getenv("MUSTER_LOG_LEVEL"))));
    root.addAppender(console);
    QUIET.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** The level named (TRACE, DEBUG, INFO, WARN, ERROR, OFF); INFO when unset or not a level. */
  static Level level(String name) {
    return name == null || name.isBlank() ? Level.INFO : Level.toLevel(name.strip(), Level.INFO);
  }
}
