package dev.switchboard.interop.celery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link CeleryEnvelope#parse}: what a kombu 5 envelope becomes, and every refusal with its reason. The base is a
 * message Debian's python3-celery 5.2.6 wrote ({@code apply_async((1, 1), countdown=30, expires=120, priority=5)},
 * WIRE.md and {@code captures/celery-send_task.monitor.txt}); each test changes one thing in it.
 */
@DisplayName("A Celery protocol-2 envelope, parsed")
class CeleryEnvelopeTest {

  private static final String CAPTURED = "{\"body\": \"W1sxLCAxXSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d\", \"content-encoding\": \"utf-8\", \"content-type\": \"application/json\", \"headers\": {\"lang\": \"py\", \"task\": \"add\", \"id\": \"5b366960-bffe-4277-8b23-8fe8b34ff95e\", \"shadow\": null, \"eta\": \"2026-12-01T06:55:56.859963+00:00\", \"expires\": \"2026-12-01T06:57:26.859963+00:00\", \"group\": null, \"group_index\": null, \"retries\": 0, \"timelimit\": [null, null], \"root_id\": \"5b366960-bffe-4277-8b23-8fe8b34ff95e\", \"parent_id\": null, \"argsrepr\": \"[1, 1]\", \"kwargsrepr\": \"{}\", \"origin\": \"gen23497@vm\", \"ignore_result\": false}, \"properties\": {\"correlation_id\": \"5b366960-bffe-4277-8b23-8fe8b34ff95e\", \"reply_to\": \"8d81d097-f925-3916-823c-15b5d12ac664\", \"delivery_mode\": 2, \"expiration\": \"120000\", \"delivery_info\": {\"exchange\": \"\", \"routing_key\": \"celery\"}, \"priority\": 5, \"body_encoding\": \"base64\", \"delivery_tag\": \"2fc0457c-812d-4d44-8a2e-4a861b443423\"}}";
  private static final String ID = "5b366960-bffe-4277-8b23-8fe8b34ff95e";

  /** The captured envelope with {@code change} applied to its JSON. */
  private static CeleryEnvelope parse(Consumer<JsonObject> change) {
    JsonObject envelope = new JsonObject(CAPTURED);
    change.accept(envelope);
    return CeleryEnvelope.parse(envelope.encode());
  }

  private static String body(JsonArray body) {
    return Base64.getEncoder().encodeToString(body.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject embed() {
    return new JsonObject().putNull("callbacks").putNull("errbacks").putNull("chain").putNull("chord");
  }

  /** A signature as Celery embeds it in a chain or chord, with its task id. */
  private static JsonObject signature(String id) {
    return new JsonObject().put("task", "add").put("args", new JsonArray().add(2)).put("kwargs", new JsonObject())
        .put("options", new JsonObject().put("task_id", id)).put("subtask_type", (String) null);
  }

  private static void refusedWith(CeleryEnvelope envelope, String type, String... words) {
    assertNotNull(envelope.refusal(), "not refused: " + envelope);
    assertEquals(type, envelope.refusal().type(), envelope.refusal().toString());
    for (String word : words) {
      assertTrue(envelope.refusal().message().contains(word), envelope.refusal().message());
    }
    assertEquals(ID, envelope.id(), "a refusal still names the task, so its FAILURE meta can be written");
  }

  @Test
  @DisplayName("the captured message: id, task, args, eta and expires as instants, Celery priority 5 is Switchboard's 4")
  void captured() {
    CeleryEnvelope envelope = CeleryEnvelope.parse(CAPTURED);
    assertNull(envelope.refusal());
    assertEquals(ID, envelope.id());
    assertEquals("add", envelope.task());
    assertEquals(new JsonArray().add(1).add(1), envelope.args());
    assertEquals(new JsonObject(), envelope.kwargs());
    assertEquals(Instant.parse("2026-12-01T06:55:56.859963Z"), envelope.eta());
    assertEquals(Instant.parse("2026-12-01T06:57:26.859963Z"), envelope.expires());
    assertEquals(5, envelope.priority());
    assertEquals(4, envelope.switchboardPriority());
    assertNull(envelope.softLimit());
    assertNull(envelope.hardLimit());
    assertEquals(List.of(), envelope.downstream());
  }

  @Test
  @DisplayName("a naive eta / expires (no offset) is UTC, as Celery reads it")
  void naiveEta() {
    CeleryEnvelope envelope = parse(e -> e.getJsonObject("headers").put("eta", "2026-12-01T06:55:56.859963")
        .put("expires", "2026-12-01T08:00:00"));
    assertNull(envelope.refusal());
    assertEquals(Instant.parse("2026-12-01T06:55:56.859963Z"), envelope.eta());
    assertEquals(Instant.parse("2026-12-01T08:00:00Z"), envelope.expires());
  }

  @Test
  @DisplayName("an eta with another offset is the same instant")
  void offsetEta() {
    assertEquals(Instant.parse("2026-12-01T06:55:56Z"),
        parse(e -> e.getJsonObject("headers").put("eta", "2026-12-01T08:55:56+02:00")).eta());
  }

  @Test
  @DisplayName("a bad eta is refused with ValueError naming it")
  void badEta() {
    refusedWith(parse(e -> e.getJsonObject("headers").put("eta", "tomorrow")), "ValueError", "eta");
  }

  @Test
  @DisplayName("timelimit is [hard, soft], in that order, in seconds")
  void timelimitOrder() {
    CeleryEnvelope envelope = parse(e -> e.getJsonObject("headers").put("timelimit", new JsonArray().add(30).add(10.5)));
    assertEquals(30.0, envelope.hardLimit());
    assertEquals(10.5, envelope.softLimit());
    CeleryEnvelope softOnly = parse(e -> e.getJsonObject("headers").put("timelimit", new JsonArray().addNull().add(7)));
    assertNull(softOnly.hardLimit());
    assertEquals(7.0, softOnly.softLimit());
  }

  @Test
  @DisplayName("priority is clamped to Celery's 0-9 (0 highest on Redis) and missing means 0: Switchboard's 9 - p")
  void priorityClamped() {
    assertEquals(9, parse(e -> e.getJsonObject("properties").put("priority", 12)).priority());
    assertEquals(0, parse(e -> e.getJsonObject("properties").put("priority", 12)).switchboardPriority());
    assertEquals(0, parse(e -> e.getJsonObject("properties").put("priority", -3)).priority());
    assertEquals(9, parse(e -> e.getJsonObject("properties").put("priority", -3)).switchboardPriority());
    assertEquals(9, parse(e -> e.getJsonObject("properties").remove("priority")).switchboardPriority());
    assertEquals(9, parse(e -> e.getJsonObject("properties").putNull("priority")).switchboardPriority());
  }

  @Test
  @DisplayName("retries are carried from the headers")
  void retries() {
    assertEquals(2, parse(e -> e.getJsonObject("headers").put("retries", 2)).retries());
  }

  @Test
  @DisplayName("a compressed body (compression='zlib') is refused with ContentDisallowed naming the compression")
  void compressed() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(zipped)) {
      out.write(new JsonArray().add(new JsonArray().add(1).add(1)).add(new JsonObject()).add(embed()).encode()
          .getBytes(StandardCharsets.UTF_8));
    }
    CeleryEnvelope envelope = parse(e -> {
      e.getJsonObject("headers").put("compression", "application/x-gzip");
      e.put("body", Base64.getEncoder().encodeToString(zipped.toByteArray()));
    });
    refusedWith(envelope, "ContentDisallowed", "compressed", "application/x-gzip");
    assertEquals("kombu.exceptions", envelope.refusal().module());
  }

  @Test
  @DisplayName("pickle, yaml and msgpack are refused with ContentDisallowed naming the serializer")
  void serializers() {
    refusedWith(parse(e -> e.put("content-type", "application/x-python-serialize")), "ContentDisallowed", "pickle");
    refusedWith(parse(e -> e.put("content-type", "application/x-yaml")), "ContentDisallowed", "yaml", "json");
    refusedWith(parse(e -> e.put("content-type", "application/x-msgpack")), "ContentDisallowed", "msgpack");
  }

  @Test
  @DisplayName("a chain is refused with NotImplementedError; its later tasks' ids are the downstream that fails too")
  void chain() {
    CeleryEnvelope envelope = parse(e -> e.put("body", body(new JsonArray().add(new JsonArray().add(1).add(1))
        .add(new JsonObject()).add(embed().put("chain", new JsonArray().add(signature("third")).add(signature("second")))))));
    refusedWith(envelope, "NotImplementedError", "chain");
    assertEquals("builtins", envelope.refusal().module());
    assertEquals(List.of("third", "second"), envelope.downstream());
  }

  @Test
  @DisplayName("a chord header task is refused; the chord body's id is the downstream that fails too")
  void chord() {
    CeleryEnvelope envelope = parse(e -> e.put("body", body(new JsonArray().add(new JsonArray().add(1).add(1))
        .add(new JsonObject()).add(embed().put("chord", signature("body"))))));
    refusedWith(envelope, "NotImplementedError", "chord");
    assertEquals(List.of("body"), envelope.downstream());
  }

  @Test
  @DisplayName("callbacks (link) and errbacks (link_error) are refused; an empty list is no canvas")
  void callbacks() {
    refusedWith(parse(e -> e.put("body", body(new JsonArray().add(new JsonArray()).add(new JsonObject())
        .add(embed().put("callbacks", new JsonArray().add(signature("cb"))))))), "NotImplementedError", "callbacks");
    refusedWith(parse(e -> e.put("body", body(new JsonArray().add(new JsonArray()).add(new JsonObject())
        .add(embed().put("errbacks", new JsonArray().add(signature("eb"))))))), "NotImplementedError", "errbacks");
    assertNull(parse(e -> e.put("body", body(new JsonArray().add(new JsonArray()).add(new JsonObject())
        .add(embed().put("callbacks", new JsonArray()))))).refusal());
  }

  @Test
  @DisplayName("kombu 5.3's {__type__, __value__} wrappers are unwrapped in args and kwargs")
  void typedValues() {
    JsonObject wrapped = new JsonObject().put("__type__", "datetime").put("__value__", "2026-12-01T06:55:56");
    CeleryEnvelope envelope = parse(e -> e.put("body", body(new JsonArray().add(new JsonArray().add(wrapped))
        .add(new JsonObject().put("when", new JsonObject().put("at", wrapped))).add(embed()))));
    assertEquals(new JsonArray().add("2026-12-01T06:55:56"), envelope.args());
    assertEquals(new JsonObject().put("when", new JsonObject().put("at", "2026-12-01T06:55:56")), envelope.kwargs());
  }

  @Test
  @DisplayName("not JSON, no headers.id (protocol 1), a body that is not base64 JSON: refused, never thrown")
  void malformed() {
    CeleryEnvelope notJson = CeleryEnvelope.parse("\u0080\u0003}q");
    assertEquals("ContentDisallowed", notJson.refusal().type());
    assertNull(notJson.id());
    refusedWith(parse(e -> e.put("body", "%%%")), "ContentDisallowed", "base64");
    refusedWith(parse(e -> e.put("body", body(new JsonArray().add("not a list")))), "TypeError", "args");
    CeleryEnvelope v1 = CeleryEnvelope.parse(new JsonObject().put("body", "e30=").put("content-type", "application/json")
        .encode());
    assertTrue(v1.refusal().message().contains("protocol 2"), v1.refusal().message());
  }

  @Test
  @DisplayName("a refusal's result is Celery's exception JSON: exc_type, exc_message as a list, exc_module")
  void refusalResult() {
    assertEquals("{\"exc_type\":\"ContentDisallowed\",\"exc_message\":[\"no\"],\"exc_module\":\"kombu.exceptions\"}",
        new CeleryEnvelope.Refusal("ContentDisallowed", "kombu.exceptions", "no").toCeleryResult());
  }
}
