package dev.switchboard.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Checks each TCP bridge frame's shape before the bridge parses it: a JSON object whose {@code type} is one the
 * bridge knows, with a string {@code address} (but for {@code ping}), and {@code headers} an object and
 * {@code replyAddress} a string when present. The bridge itself throws on anything else (an unknown type, a
 * numeric address), logs a stack trace and stops answering that connection; here the connection is closed at once
 * and counted. Frames pass on unchanged: a read that completes a bad frame is dropped, so the bridge never sees it
 * whole. Sits after {@link FrameLimit}, which bounds what is held here to one frame. One per connection.
 */
final class FrameShape extends ChannelInboundHandlerAdapter {

  private static final Set<String> TYPES = Set.of("send", "publish", "register", "unregister", "ping");

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
      String json = pending.toString(pending.readerIndex() + 4, (int) length, StandardCharsets.UTF_8);
      pending.skipBytes(4 + (int) length);
      if (!validFrame(json)) {
        return false;
      }
    }
    pending.discardReadBytes();
    return true;
  }

  static boolean validFrame(String json) {
    JsonObject frame;
    try {
      frame = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
    Object type = frame.getValue("type");
    if (!(type instanceof String name) || !TYPES.contains(name)) {
      return false;
    }
    Object address = frame.getValue("address");
    Object headers = frame.getValue("headers");
    Object replyAddress = frame.getValue("replyAddress");
    return ("ping".equals(name) ? address == null || address instanceof String : address instanceof String)
        && (headers == null || headers instanceof JsonObject)
        && (replyAddress == null || replyAddress instanceof String);
  }
}
