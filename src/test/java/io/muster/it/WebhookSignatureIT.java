package io.muster.it;

import io.muster.sim.TwilioSigner;
import static io.muster.it.PipelineIT.MCI;
import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.notify.twilio.TwilioSignature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Twilio webhooks are accepted only when signed, for the node's public URL, with the account's
 * auth token; an accepted one is recorded once. The node runs as behind a proxy: its public base
 * URL is not the address it listens on, so the simulator's own status callbacks never arrive and
 * only the callbacks this test signs move a notification's status.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookSignatureIT {
  private static final String SMS = "/webhooks/twilio/sms";
  private static final String STATUS = "/webhooks/twilio/status";
  private static final String REFUSED_PHONE = "+16175550104";   // tom-okafor: only refused webhooks come from him

  private TestDatabase db;
  private TestNodes nodes;
  private String listenBase;    // where the node listens
  private String publicBase;    // what Twilio is configured with, and signs
  private String incidentId;

  @BeforeAll
  void startNodeAndPage() {
    db = TestDatabase.h2();
    nodes = new TestNodes(db);
    int port = TestNodes.freePort();
    publicBase = "http://127.0.0.1:" + TestNodes.freePort();   // nothing listens there
    Muster node = nodes.start(new JsonObject().put("http", new JsonObject().put("port", port)
        .put("publicBaseUrl", publicBase)));
    listenBase = TestNodes.baseUrl(node);
    Http.Response created = Http.postJson(listenBase + "/api/v1/incidents", MCI);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    incidentId = created.json().getString("id");
    eventually(() -> notifications().stream().allMatch(n -> "sent".equals(n.getString("status"))));
    assertThat(MCI_PHONES).allSatisfy(p -> assertThat(nodes.simulator.messagesTo(p)).hasSize(1));
  }

  @AfterAll
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
    if (db != null) {
      db.close();
    }
  }

  static Stream<Arguments> forgeries() {
    return Stream.of(
        Arguments.of("no signature", (Forgery) (url, listening, params) -> null),
        Arguments.of("signed with another auth token",
            (Forgery) (url, listening, params) -> TwilioSigner.sign("not-" + TestNodes.AUTH_TOKEN, url, params)),
        Arguments.of("a parameter changed after signing (signed Body 1, sent ACK)",
            (Forgery) (url, listening, params) -> TwilioSigner.sign(TestNodes.AUTH_TOKEN, url, replaced(params, "Body", "1"))),
        Arguments.of("a parameter added after signing",
            (Forgery) (url, listening, params) -> TwilioSigner.sign(TestNodes.AUTH_TOKEN, url, without(params, "To"))),
        Arguments.of("signed for another host",
            (Forgery) (url, listening, params) -> TwilioSigner.sign(TestNodes.AUTH_TOKEN,
                url.replace("127.0.0.1", "attacker.example.com"), params)),
        Arguments.of("signed for another port",
            (Forgery) (url, listening, params) -> TwilioSigner.sign(TestNodes.AUTH_TOKEN,
                url.replaceFirst(":[0-9]+/", ":1/"), params)),
        Arguments.of("signed for the address the node listens on instead of its public URL",
            (Forgery) (url, listening, params) -> TwilioSigner.sign(TestNodes.AUTH_TOKEN, listening, params)));
  }

  interface Forgery {
    String signature(String publicUrl, String listeningUrl, Map<String, String> params);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  @DisplayName("an inbound SMS webhook that is not signed right is refused with 403 and records nothing")
  void forgedReplyRefused(String name, Forgery forgery) {
    Map<String, String> params = inbound(REFUSED_PHONE, "ACK", newSid());
    String signature = forgery.signature(publicBase + SMS, listenBase + SMS, params);
    List<Long> before = counts();

    Http.Response r = postForm(SMS, params, signature);

    Refusal.assertError(r, 403, "bad_signature", TwilioSignature.HEADER, "signature");
    assertThat(counts()).as("inbound_message and journal rows").isEqualTo(before);
    assertThat(acks()).as("acknowledgements").noneMatch(a -> "tom-okafor".equals(a.getString("staffId")));
  }

  @Test
  @DisplayName("a signed ACK from a paged person answers 200 with TwiML and shows as that page's acknowledgement")
  void signedReplyAcknowledges() {
    long inbound = db.count("SELECT COUNT(*) FROM inbound_message");
    Map<String, String> params = inbound("+16175550103", "ACK", newSid());

    Http.Response r = postForm(SMS, params, TwilioSigner.sign(TestNodes.AUTH_TOKEN, publicBase + SMS, params));

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("content-type")).startsWith("text/xml");
    assertThat(r.body()).contains("<Response/>");
    assertThat(db.count("SELECT COUNT(*) FROM inbound_message")).isEqualTo(inbound + 1);
    assertThat(acks()).filteredOn(a -> "priya-raman".equals(a.getString("staffId"))).hasSize(1);
  }

  @Test
  @DisplayName("the same signed webhook delivered twice (one MessageSid) is recorded once")
  void duplicateRecordedOnce() {
    String sid = newSid();
    Map<String, String> params = inbound("+16175550101", "1", sid);
    String signature = TwilioSigner.sign(TestNodes.AUTH_TOKEN, publicBase + SMS, params);
    long inbound = db.count("SELECT COUNT(*) FROM inbound_message");

    assertThat(postForm(SMS, params, signature).status()).isEqualTo(200);
    assertThat(postForm(SMS, params, signature).status()).as("a redelivery is answered OK").isEqualTo(200);

    assertThat(db.count("SELECT COUNT(*) FROM inbound_message")).isEqualTo(inbound + 1);
    assertThat(db.count("SELECT COUNT(*) FROM inbound_message WHERE message_sid = '" + sid + "'")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.acknowledged'"
        + " AND payload LIKE '%dana-whitfield%'")).isEqualTo(1);
    assertThat(acks()).filteredOn(a -> "dana-whitfield".equals(a.getString("staffId"))).hasSize(1);
  }

  @Test
  @DisplayName("a signed delivered callback marks the notification delivered; a late sent never moves it back")
  void statusCallbackMovesForwardOnly() {
    JsonObject page = notifications().stream().filter(n -> "marcus-ng".equals(n.getString("staffId")))
        .findFirst().orElseThrow();
    assertThat(page.getString("status")).isEqualTo("sent");
    String path = STATUS + "?n=" + page.getString("id");
    String sid = providerSid(page.getString("id"));

    Map<String, String> forged = statusParams(sid, "delivered");
    Http.Response refused = postForm(path, forged, TwilioSigner.sign(TestNodes.AUTH_TOKEN, publicBase + STATUS, forged));
    Refusal.assertError(refused, 403, "bad_signature", TwilioSignature.HEADER, null);
    assertThat(status(page.getString("id"))).as("after a callback signed without its query").isEqualTo("sent");

    Http.Response delivered = postStatus(path, statusParams(sid, "delivered"));
    assertThat(delivered.status()).as(delivered.body()).isEqualTo(204);
    assertThat(status(page.getString("id"))).isEqualTo("delivered");

    Http.Response late = postStatus(path, statusParams(sid, "sent"));
    assertThat(late.status()).as(late.body()).isEqualTo(204);
    assertThat(status(page.getString("id"))).isEqualTo("delivered");
    assertThat(db.count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.status'"
        + " AND payload LIKE '%" + page.getString("id") + "%'")).as("status events").isEqualTo(1);
  }

  // ---- helpers

  private Http.Response postStatus(String pathAndQuery, Map<String, String> params) {
    return postForm(pathAndQuery, params, TwilioSigner.sign(TestNodes.AUTH_TOKEN, publicBase + pathAndQuery, params));
  }

  private Http.Response postForm(String pathAndQuery, Map<String, String> params, String signature) {
    String form = params.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return signature == null
        ? Http.post(listenBase + pathAndQuery, "application/x-www-form-urlencoded", form)
        : Http.post(listenBase + pathAndQuery, "application/x-www-form-urlencoded", form,
            TwilioSignature.HEADER, signature);
  }

  private static Map<String, String> inbound(String from, String body, String sid) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("MessageSid", sid);
    p.put("SmsSid", sid);
    p.put("AccountSid", TestNodes.ACCOUNT_SID);
    p.put("From", from);
    p.put("To", "+15005550006");
    p.put("Body", body);
    p.put("NumMedia", "0");
    return p;
  }

  private static Map<String, String> statusParams(String sid, String status) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("MessageSid", sid);
    p.put("AccountSid", TestNodes.ACCOUNT_SID);
    p.put("MessageStatus", status);
    p.put("To", "+16175550102");
    return p;
  }

  private static Map<String, String> replaced(Map<String, String> params, String name, String value) {
    Map<String, String> p = new LinkedHashMap<>(params);
    p.put(name, value);
    return p;
  }

  private static Map<String, String> without(Map<String, String> params, String name) {
    Map<String, String> p = new LinkedHashMap<>(params);
    p.remove(name);
    return p;
  }

  private List<Long> counts() {
    return List.of(db.count("SELECT COUNT(*) FROM inbound_message"), db.count("SELECT COUNT(*) FROM journal"));
  }

  private List<JsonObject> notifications() {
    return objects(Http.get(listenBase + "/api/v1/incidents/" + incidentId).json().getJsonArray("notifications"));
  }

  private List<JsonObject> acks() {
    return objects(Http.get(listenBase + "/api/v1/incidents/" + incidentId).json().getJsonArray("acks"));
  }

  private String status(String notificationId) {
    return notifications().stream().filter(n -> notificationId.equals(n.getString("id")))
        .findFirst().orElseThrow().getString("status");
  }

  /** The SID the provider gave the page: the simulator's record of the one message to that phone. */
  private String providerSid(String notificationId) {
    String sid = nodes.simulator.messagesTo("+16175550102").get(0).sid();
    assertThat(db.count("SELECT COUNT(*) FROM notification WHERE id = '" + notificationId
        + "' AND provider_sid = '" + sid + "'")).isEqualTo(1);
    return sid;
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  private static String newSid() {
    return "SM" + UUID.randomUUID().toString().replace("-", "");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
