package io.muster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven by Selenium, for tests that look at the dashboard as a person does.
 * Uses Debian's {@code chromium} and {@code chromium-driver}; without them the calling test class
 * is skipped with a message that says how to install them ({@code .ci/run} does, so CI never skips).
 * Every wait that times out leaves a screenshot and the browser's console in the failure.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of(System.getProperty("muster.chromium", "/usr/bin/chromium"));
  public static final Path CHROMEDRIVER = Path.of(System.getProperty("muster.chromedriver", "/usr/bin/chromedriver"));
  static final Duration WAIT = Duration.ofSeconds(20);

  public final WebDriver driver;
  private final Path profile;
  private final Path screenshots;

  private Browser(WebDriver driver, Path profile, Path screenshots) {
    this.driver = driver;
    this.profile = profile;
    this.screenshots = screenshots;
  }

  /**
   * Skips the calling test class, visibly, when no Chromium is installed; with
   * {@code MUSTER_REQUIRE_BROWSER=1} (set by {@code .ci/run}) a missing Chromium fails instead.
   */
  public static void assumeChromium() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    String message = "no Chromium found at " + CHROMIUM + " / " + CHROMEDRIVER
        + " (apt-get install chromium chromium-driver; .ci/run installs them)";
    if ("1".equals(System.getenv("MUSTER_REQUIRE_BROWSER"))) {
      throw new AssertionError("MUSTER_REQUIRE_BROWSER=1 but " + message);
    }
    System.out.println("SKIPPED: browser tests: " + message);
    Assumptions.assumeTrue(false, "SKIPPED: " + message);
  }

  /** A fresh headless Chromium (its own profile, no network of its own) of the given window size. */
  public static Browser start(Path screenshots, int width, int height) {
    assumeChromium();
    try {
      Files.createDirectories(screenshots);
      Path profile = Files.createTempDirectory("muster-chromium-");
      System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio",
          "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-US");
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().window().setSize(new Dimension(width, height));
      return new Browser(driver, profile, screenshots);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  public String text(String css) {
    return find(css).getText();
  }

  public Object js(String script, Object... args) {
    return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Waits until the condition gives a non-null, non-false value; on timeout says what was awaited. */
  public <T> T until(String what, Function<WebDriver, T> condition) {
    return until(what, WAIT, condition);
  }

  public <T> T until(String what, Duration timeout, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .ignoring(org.openqa.selenium.NoSuchElementException.class)
          .until(condition);
    } catch (TimeoutException e) {
      Path shot = screenshot("FAILED-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
      throw new AssertionError("waited " + timeout.toSeconds() + " s for: " + what + "\nscreenshot: " + shot
          + "\nbrowser console:\n" + console() + "\npage text:\n" + pageText(), e);
    }
  }

  /** Waits until the element's visible text contains {@code expected}; returns the element's text. */
  public String untilText(String css, String expected) {
    return until("'" + expected + "' in " + css, d -> {
      String t = d.findElement(By.cssSelector(css)).getText();
      return t.contains(expected) ? t : null;
    });
  }

  public Path screenshot(String name) {
    Path file = screenshots.resolve(name + ".png");
    try {
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } catch (RuntimeException | IOException e) {
      return Path.of("(no screenshot: " + e + ")");
    }
    return file;
  }

  /** A screenshot of the whole page, however tall, for a person to look at. */
  public Path fullPage(String name) {
    Dimension before = driver.manage().window().getSize();
    Number height = (Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
    driver.manage().window().setSize(new Dimension(before.getWidth(), Math.min(6000, height.intValue() + 120)));
    try {
      return screenshot(name);
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  public String console() {
    try {
      return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .map(e -> e.getLevel() + " " + e.getMessage()).collect(Collectors.joining("\n"));
    } catch (RuntimeException e) {
      return "(console not available: " + e.getMessage() + ")";
    }
  }

  private String pageText() {
    try {
      String text = driver.findElement(By.tagName("body")).getText();
      return text.length() > 4000 ? text.substring(0, 4000) + "…" : text;
    } catch (RuntimeException e) {
      return "(no page text: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary profile left behind is harmless
      }
    }
  }
}
