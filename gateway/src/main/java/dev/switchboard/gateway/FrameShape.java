package dev.switchboard.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Checks each TCP bridge frame's shape before the bridge parses it: a JSON object whose {@code type} is one the
 * bridge knows, with a string {@code address} (but for {@code ping}), and {@code headers} an object and
 * {@code replyAddress} a string when present. The bridge itself throws on anything else (an unknown type, a
 * numeric address), logs a stack trace and stops answering that connection; here the connection is closed at once
 * and counted. The check scans tokens only; the bridge decodes each frame once. Frames pass on unchanged: a read that completes a bad frame is dropped, so the bridge never sees it
 * whole. Sits after {@link FrameLimit}, which bounds what is held here to one frame. One per connection.
 */
final class FrameShape extends ChannelInboundHandlerAdapter {

  private static final Set<String> TYPES = Set.of("send", "publish", "register", "unregister", "ping");
  private static final JsonFactory JSON = new JsonFactory();

  private final Runnable onMalformed;
  private final ByteBuf pending = Unpooled.buffer();
  private boolean closed;

  FrameShape(Runnable onMalformed) {
    this.onMalformed = onMalformed;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf buf && !wellFormed(buf)) {
      closed = true;
      ReferenceCountUtil.release(msg);
      pending.release();
      onMalformed.run();
      ctx.close();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (!closed && pending.refCnt() > 0) {
      pending.release();
    }
  }

  /** Adds {@code buf}'s bytes to the frame in progress and checks every frame it completes. */
  private boolean wellFormed(ByteBuf buf) {
    pending.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
    while (pending.readableBytes() >= 4) {
      long length = pending.getUnsignedInt(pending.readerIndex());
      if (pending.readableBytes() - 4 < length) {
        break;
      }
      boolean valid = validFrame(new ByteBufInputStream(pending.retainedSlice(pending.readerIndex() + 4, (int) length), true));
      pending.skipBytes(4 + (int) length);
      if (!valid) {
        return false;
      }
    }
    pending.discardReadBytes();
    return true;
  }

  static boolean validFrame(String json) {
    return validFrame(new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Scans the frame's tokens once, straight from its bytes: no string, no tree (the bridge builds the one tree).
   * Only the top-level fields the bridge reads are looked at; every other value is skipped.
   */
  private static boolean validFrame(InputStream json) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      String type = null;
      JsonToken address = null;
      boolean shaped = true;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "type" -> type = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "address" -> address = value;
          case "headers" -> shaped &= value == JsonToken.START_OBJECT || value == JsonToken.VALUE_NULL;
          case "replyAddress" -> shaped &= value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL;
          default -> { }
        }
        parser.skipChildren();
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return false; // cut short, or something after the object
      }
      boolean addressIsString = address == JsonToken.VALUE_STRING;
      boolean noAddress = address == null || address == JsonToken.VALUE_NULL;
      return shaped && type != null && TYPES.contains(type) && ("ping".equals(type) ? noAddress || addressIsString : addressIsString);
    } catch (IOException e) {
      return false;
    }
  }
}
