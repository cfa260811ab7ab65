package dev.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The shape check the TCP bridge's frames pass before the bridge decodes them. */
class FrameShapeTest {

  @Test
  @DisplayName("frames the bridge can serve pass: send, publish with headers and reply address, ping without address")
  void wellFormed() {
    assertTrue(FrameShape.validFrame("{\"type\":\"send\",\"address\":\"a\",\"body\":{\"x\":[1,{\"type\":3}]}}"));
    assertTrue(FrameShape.validFrame("{\"type\":\"publish\",\"address\":\"a\",\"headers\":{\"h\":\"v\"},\"replyAddress\":\"r\"}"));
    assertTrue(FrameShape.validFrame("{\"type\":\"ping\"}"));
    assertTrue(FrameShape.validFrame("{\"body\":{\"address\":5},\"address\":\"a\",\"type\":\"register\"}"));
  }

  @Test
  @DisplayName("anything the bridge would choke on fails: bad JSON, not an object, unknown type, wrongly typed fields")
  void malformed() {
    assertFalse(FrameShape.validFrame("{\"type\":\"send\",\"address\":\"a\""));
    assertFalse(FrameShape.validFrame("[1,2]"));
    assertFalse(FrameShape.validFrame("{\"type\":\"send\",\"address\":\"a\"} {}"));
    assertFalse(FrameShape.validFrame("{\"type\":\"shout\",\"address\":\"a\"}"));
    assertFalse(FrameShape.validFrame("{\"type\":7,\"address\":\"a\"}"));
    assertFalse(FrameShape.validFrame("{\"type\":\"send\",\"address\":7}"));
    assertFalse(FrameShape.validFrame("{\"type\":\"send\"}"));
    assertFalse(FrameShape.validFrame("{\"type\":\"ping\",\"address\":[]}"));
    assertFalse(FrameShape.validFrame("{\"type\":\"send\",\"address\":\"a\",\"headers\":[]}"));
    assertFalse(FrameShape.validFrame("{\"type\":\"send\",\"address\":\"a\",\"replyAddress\":{}}"));
  }
}
