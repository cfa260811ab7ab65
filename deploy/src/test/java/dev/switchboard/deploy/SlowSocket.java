package dev.switchboard.deploy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client that completes the handshake and then stops reading, as a stalled phone would; with
 * a tiny receive buffer, so the server's queue for it fills quickly. {@link #closeCode} later drains the
 * stream and returns the code of the server's close frame.
 */
final class SlowSocket implements AutoCloseable {

  private final Socket socket;

  private SlowSocket(Socket socket) {
    this.socket = socket;
  }

  static SlowSocket open(int port, String path) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    String head = readHead(socket.getInputStream());
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("handshake refused: " + head);
    }
    return new SlowSocket(socket);
  }

  /** Reads every frame until the server's close frame; returns its status code. */
  int closeCode() throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    while (true) {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      if ((first & 0x0f) == 0x8) {
        return length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
