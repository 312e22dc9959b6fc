package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Logging")
class LogSetupTest {

  @Test
  @DisplayName("Logback is set up by Muster's configurator: a console, INFO, the chatty libraries at WARN")
  void setUpByTheConfigurator() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    assertThat(context.getLogger("ROOT").getAppender("STDOUT")).isInstanceOf(ConsoleAppender.class);
    assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(LogSetup.level(System.getenv("MUSTER_LOG_LEVEL")));
    LogSetup.QUIET.forEach(name -> assertThat(context.getLogger(name).getLevel()).as(name).isEqualTo(Level.WARN));
  }

  @Test
  @DisplayName("a fresh context gets the same: one console appender with Muster's pattern")
  void freshContext() {
    LoggerContext context = new LoggerContext();
    LogSetup setup = new LogSetup();
    setup.setContext(context);

    Configurator.ExecutionStatus status = setup.configure(context);

    assertThat(status).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    ConsoleAppender<?> console = (ConsoleAppender<?>) context.getLogger("ROOT").getAppender("STDOUT");
    assertThat(console.isStarted()).isTrue();
    assertThat(((ch.qos.logback.classic.encoder.PatternLayoutEncoder) console.getEncoder()).getPattern())
        .isEqualTo(LogSetup.PATTERN);
    context.stop();
  }

  @Test
  @DisplayName("with -Dlogback.configurationFile it steps aside, so that Logback reads that file")
  void stepsAsideForAFile() {
    LoggerContext context = new LoggerContext();
    LogSetup setup = new LogSetup();
    setup.setContext(context);
    System.setProperty("logback.configurationFile", "my-logback.xml");
    try {
      assertThat(setup.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger("ROOT").getAppender("STDOUT")).isNull();
    } finally {
      System.clearProperty("logback.configurationFile");
      context.stop();
    }
  }

  @Test
  @DisplayName("MUSTER_LOG_LEVEL names the level; unset or not a level, INFO (which never logs phone numbers)")
  void level() {
    assertThat(LogSetup.level("debug")).isEqualTo(Level.DEBUG);
    assertThat(LogSetup.level(" WARN ")).isEqualTo(Level.WARN);
    assertThat(LogSetup.level(null)).isEqualTo(Level.INFO);
    assertThat(LogSetup.level("verbose")).isEqualTo(Level.INFO);
  }
}
