'use strict';
/**
 * A client for Switchboard's TCP event-bus bridge, for Node.js, with no dependency.
 *
 * Wire format (vertx-tcp-eventbus-bridge): a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
 *
 *   const { EventBus } = require('./switchboard-bus');
 *   const bus = await EventBus.connect({ host: '127.0.0.1', port: 7000, token });   // token optional
 *   bus.send('some.address', { hello: 'world' });
 *   const reply = await bus.request('some.service', { q: 1 }, { timeout: 5000 });
 *   await bus.register('some.topic', (message) => console.log(message.body));
 *   bus.publish('some.topic', { news: true });
 *   bus.close();
 *
 * Operations the bridge refuses (access_denied) reject the promise of the next flush(); register(),
 * unregister() and request() flush by themselves, as do send/publish with { confirm: true }.
 */
const net = require('net');
const crypto = require('crypto');
const { EventEmitter } = require('events');

const MAX_FRAME_BYTES = 16 * 1024 * 1024;

class BusError extends Error {
  constructor(message, failureCode, failureType) {
    super(message);
    this.name = 'BusError';
    this.failureCode = failureCode;
    this.failureType = failureType;
  }
}

class Message {
  constructor(bus, frame) {
    this.bus = bus;
    this.address = frame.address;
    this.body = frame.body;
    this.headers = frame.headers || {};
    this.replyAddress = frame.replyAddress;
    this.isSend = frame.send !== false;
  }

  reply(body, headers) {
    if (!this.replyAddress) throw new BusError('this message expects no reply');
    this.bus._write({ type: 'send', address: this.replyAddress, body, headers: headers || {} });
  }

  fail(code, message) {
    if (!this.replyAddress) throw new BusError('this message expects no reply');
    this.bus._write({ type: 'send', address: this.replyAddress, failureCode: code, message });
  }
}

class EventBus extends EventEmitter {
  constructor(options = {}) {
    super();
    this.host = options.host || '127.0.0.1';
    this.port = options.port || 7000;
    this.timeout = options.timeout || 10000;
    this.token = options.token;
    this.handlers = new Map();   // address -> [handler]
    this.replies = new Map();    // our reply address -> { resolve, reject, timer } (requests in flight)
    this.barriers = [];          // pings in flight, oldest first
    this.denied = [];            // refusals since the oldest ping
    this.buffer = Buffer.alloc(0);
    this.closed = false;
  }

  static async connect(options) {
    const bus = new EventBus(options);
    await bus._open();
    return bus;
  }

  _open() {
    return new Promise((resolve, reject) => {
      this.socket = net.createConnection({ host: this.host, port: this.port }, () => {
        this.socket.setNoDelay(true);
        const auth = this.token ? this.flush({ headers: { authorization: 'Bearer ' + this.token } }) : Promise.resolve();
        auth.then(() => resolve(this), reject);
      });
      this.socket.on('data', (chunk) => this._onData(chunk));
      this.socket.on('error', (err) => { if (!this.closed) reject(err); this._onClose(err); });
      this.socket.on('close', () => this._onClose());
    });
  }

  close() {
    this.closed = true;
    if (this.socket) this.socket.end();
  }

  send(address, body, options = {}) {
    this._write({ type: 'send', address, body, headers: options.headers || {} });
    return options.confirm ? this.flush() : Promise.resolve();
  }

  /** Sends a websocket.* event to a connection's channel: to its node's inbox, the channel in the `channel` header. */
  sendToChannel(channel, event, options = {}) {
    const m = /^switchboard\.channel\.([^.]+)\..+$/.exec(channel);
    if (!m) throw new Error('not a Switchboard channel name: ' + channel);
    return this.send('switchboard.inbox.' + m[1], event, { ...options, headers: { ...(options.headers || {}), channel } });
  }

  publish(address, body, options = {}) {
    this._write({ type: 'publish', address, body, headers: options.headers || {} });
    return options.confirm ? this.flush() : Promise.resolve();
  }

  /**
   * Announces the routes this client serves to every gateway, e.g.
   * [{ kind: 'websocket', pattern: '/ws/node-echo', consumer: 'node-echo' }] (kind 'websocket' or 'http'); the bridge
   * must permit 'switchboard.routes.announce' inbound and list each pattern in SWITCHBOARD_TCP_BRIDGE_ROUTES. The same source again replaces its routes, [] withdraws them;
   * they are withdrawn when this connection closes. Resolves once the bridge has handled it.
   */
  announceRoutes(source, routes) {
    this.publish('switchboard.routes.announce', { source, routes });
    return this.flush();
  }

  request(address, body, options = {}) {
    const timeout = options.timeout || this.timeout;
    const replyAddress = 'js.' + crypto.randomUUID();
    const reply = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(replyAddress);
        reject(new BusError(`timed out after ${timeout} ms waiting for a reply from ${address}`, undefined, 'TIMEOUT'));
      }, timeout);
      this.replies.set(replyAddress, { resolve, reject, timer });
    });
    const headers = Object.assign({ timeout }, options.headers || {});
    this._write({ type: 'send', address, body, headers, replyAddress });
    const refused = this.flush().catch((err) => {
      const pending = this.replies.get(replyAddress);
      if (pending) {
        clearTimeout(pending.timer);
        this.replies.delete(replyAddress);
      }
      throw err;
    });
    return Promise.all([reply, refused]).then(([message]) => message);
  }

  async register(address, handler) {
    const handlers = this.handlers.get(address) || [];
    handlers.push(handler);
    this.handlers.set(address, handlers);
    if (handlers.length === 1) {
      this._write({ type: 'register', address });
      try {
        await this.flush();
      } catch (err) {
        this.handlers.delete(address);
        throw err;
      }
    }
  }

  async unregister(address, handler) {
    const handlers = (this.handlers.get(address) || []).filter((h) => handler && h !== handler);
    if (handlers.length > 0) {
      this.handlers.set(address, handlers);
      return;
    }
    this.handlers.delete(address);
    this._write({ type: 'unregister', address });
    await this.flush();
  }

  /** Resolves once the bridge has handled everything sent so far; rejects if any of it was refused. */
  flush(options = {}) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.barriers.indexOf(barrier);
        if (i >= 0) this.barriers.splice(i, 1);
        reject(new BusError('timed out waiting for the bridge to answer a ping', undefined, 'TIMEOUT'));
      }, options.timeout || this.timeout);
      const barrier = { resolve, reject, timer };
      this.barriers.push(barrier);
      const frame = { type: 'ping' };
      if (options.headers) frame.headers = options.headers;
      this._write(frame);
    });
  }

  _write(frame) {
    if (this.closed || !this.socket || this.socket.destroyed) {
      throw new BusError('the connection to the bridge is closed', undefined, 'CLOSED');
    }
    const json = Buffer.from(JSON.stringify(frame), 'utf8');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(json.length, 0);
    this.socket.write(Buffer.concat([header, json]));
  }

  _onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 4) {
      const length = this.buffer.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) {
        this.socket.destroy(new BusError(`frame of ${length} bytes from the bridge is over the limit`));
        return;
      }
      if (this.buffer.length < 4 + length) return;
      const frame = JSON.parse(this.buffer.subarray(4, 4 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(4 + length);
      this._onFrame(frame);
    }
  }

  _onFrame(frame) {
    if (frame.type === 'pong') {
      const barrier = this.barriers.shift();
      const denied = this.denied;
      this.denied = [];
      if (barrier) {
        clearTimeout(barrier.timer);
        if (denied.length) barrier.reject(denied[0]); else barrier.resolve();
      }
    } else if (frame.type === 'err') {
      const error = new BusError(frame.message, frame.failureCode, frame.failureType);
      const pending = frame.address && this.replies.get(frame.address);
      if (pending) {
        clearTimeout(pending.timer);
        this.replies.delete(frame.address);
        pending.reject(error);
      } else {
        if (this.barriers.length) this.denied.push(error);
        if (this.listenerCount('error')) this.emit('error', error);
      }
    } else if (frame.type === 'message') {
      const pending = this.replies.get(frame.address);
      if (pending) {
        clearTimeout(pending.timer);
        this.replies.delete(frame.address);
        pending.resolve(new Message(this, frame));
        return;
      }
      for (const handler of this.handlers.get(frame.address) || []) {
        try {
          handler(new Message(this, frame));
        } catch (err) {
          if (this.listenerCount('error')) this.emit('error', err);
        }
      }
    }
  }

  _onClose(err) {
    if (this._ended) return;
    this._ended = true;
    this.closed = true;
    const error = new BusError('the connection to the bridge closed' + (err ? ': ' + err.message : ''), undefined, 'CLOSED');
    for (const pending of this.replies.values()) { clearTimeout(pending.timer); pending.reject(error); }
    this.replies.clear();
    for (const barrier of this.barriers) { clearTimeout(barrier.timer); barrier.reject(error); }
    this.barriers = [];
    this.emit('close');
  }
}

module.exports = { EventBus, Message, BusError };
