package dev.switchboard.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Watches the TCP bridge's 4-byte big-endian length prefixes as bytes arrive, before anything is buffered, and
 * closes the connection as soon as one announces a frame over the limit. The bridge's own parser would
 * otherwise accumulate a frame of any announced size. Passes every byte on unchanged; one per connection.
 */
final class FrameLimit extends ChannelInboundHandlerAdapter {

  private final int maxFrameBytes;
  private final Runnable onOversize;
  private int header;
  private int headerBytes;
  private long bodyRemaining;
  private boolean closed;

  FrameLimit(int maxFrameBytes, Runnable onOversize) {
    this.maxFrameBytes = maxFrameBytes;
    this.onOversize = onOversize;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf buf && !withinLimit(buf)) {
      closed = true;
      ReferenceCountUtil.release(msg);
      onOversize.run();
      ctx.close();
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean withinLimit(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      if (bodyRemaining > 0) {
        int skip = (int) Math.min(bodyRemaining, end - i);
        i += skip;
        bodyRemaining -= skip;
        continue;
      }
      header = header << 8 | buf.getByte(i++) & 0xff;
      if (++headerBytes == 4) {
        long length = header & 0xffffffffL;
        header = 0;
        headerBytes = 0;
        if (length > maxFrameBytes) {
          return false;
        }
        bodyRemaining = length;
      }
    }
    return true;
  }
}
