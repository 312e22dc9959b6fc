package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.sim.RecordingServer;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.muster.notify.twilio.TwilioSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The simulator's phone view in a real browser: its own page can still answer as a phone, and a page
 * from another origin cannot make the simulator sign a reply (the CSRF the phone API refuses).
 */
@Timeout(120)
class PhoneViewBrowserIT {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots", "phone-view");
  private static final String ACCOUNT = "AC" + "0".repeat(31) + "2";
  private static final String TOKEN = "phone-view-token";
  private static final String NURSE = "+15551230001";

  private final Vertx vertx = Vertx.vertx();
  private SmsSimulator simulator;
  private RecordingServer app;
  private RecordingServer otherSite;
  private WebClient web;
  private Browser browser;

  @BeforeEach
  void start() {
    Browser.assumeChromium();
    simulator = new SmsSimulator(SimulatorConfig.local(ACCOUNT, TOKEN));
    simulator.start(vertx).await();
    app = RecordingServer.answering200(vertx);
    otherSite = RecordingServer.answering200(vertx);
    simulator.setInboundWebhookUrl(app.url("/webhooks/twilio/sms"));
    web = WebClient.create(vertx);
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("To", NURSE).add("From", SmsSimulator.DEFAULT_SENDER_NUMBER)
        .add("Body", "Can you come in? Reply 1");
    assertThat(web.postAbs(simulator.baseUrl() + "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json")
        .basicAuthentication(ACCOUNT, TOKEN).sendForm(form).await().statusCode()).isEqualTo(201);
    browser = Browser.start(SCREENSHOTS, 1200, 800);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (web != null) {
      web.close();
      app.close();
      otherSite.close();
      simulator.stop().await();
    }
    vertx.close().await();
  }

  @Test
  @DisplayName("a page on another origin cannot send a reply; the phone view's own reply reaches the webhook signed")
  void foreignPageRefusedOwnPageAnswers() throws InterruptedException {
    browser.open(otherSite.url("/"));
    String reply = simulator.baseUrl() + "/sim/api/phones/%2B15551230001/reply";
    Object outcome = ((JavascriptExecutor) browser.driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "const body = JSON.stringify({ body: '1' });"
            + "Promise.allSettled(["
            + "  fetch(arguments[0], { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }),"
            + "  fetch(arguments[0], { method: 'POST', mode: 'no-cors', body: new Blob([body]) }),"
            + "  fetch(arguments[0], { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })"
            + "]).then(r => done(r.map(x => x.status).join(',')));", reply);
    assertThat(outcome).as("every request was sent and settled").isEqualTo("fulfilled,fulfilled,rejected");
    assertThat(simulator.repliesFrom(NURSE)).as("no reply was made from another site's page").isEmpty();
    assertThat(app.pending()).isZero();

    browser.open(simulator.baseUrl() + "/sim/");
    browser.until("the phone in the list", d -> d.findElement(org.openqa.selenium.By.cssSelector("#phones button")))
        .click();
    browser.find("#reply-body").sendKeys("1");
    browser.find("#reply button[type='submit']").click();
    assertThat(browser.untilText("#status", "Reply delivered")).contains("the application answered 200");
    RecordingServer.Received inbound = app.next(Duration.ofSeconds(5));
    assertThat(inbound.params()).containsEntry("From", NURSE).containsEntry("Body", "1");
    assertThat(TwilioSignature.valid(TOKEN, app.url("/webhooks/twilio/sms"), inbound.params(), inbound.signature())).isTrue();
    browser.screenshot("replied");
  }
}
