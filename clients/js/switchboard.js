/*
 * Switchboard WebSocket client for browsers and Node (no dependencies).
 *
 *   const socket = Switchboard.connect('/ws/chat/lobby', {
 *     token: () => localStorage.getItem('jwt'),          // a string, or a function (called before every attempt)
 *     onOpen: (s, {reconnected}) => s.send({message: reconnected ? 'back' : 'hello'}),   // (re-)join what you need
 *   });
 *   socket.on('message', data => console.log(data));     // JSON frames parsed, other text as a string
 *   socket.on('reconnecting', ({inMs, attempt, code}) => banner(`reconnecting in ${Math.ceil(inMs / 1000)} s`));
 *
 * Reconnects after 1001 (going away), 1006 (connection lost / handshake refused), 1012 (service restart: the node
 * serving the socket left) and 1013 (try again later: too slow or overloaded), with capped exponential backoff and
 * jitter, so that thousands of clients dropped at once do not come back at once. Any other close code (1000, 1008
 * policy, 1009 too big, 4xxx application codes) is final. Events: 'connecting' {attempt, url}, 'open'
 * {reconnected, attempt}, 'message' (data, raw MessageEvent), 'reconnecting' {inMs, attempt, code, reason},
 * 'close' {code, reason, willReconnect}, 'error' (the underlying error event).
 *
 * In Node 22+ the global WebSocket is used; on older Node pass any WHATWG-compatible implementation as
 * options.WebSocket (or run Node 20 with --experimental-websocket). Relative URLs need a browser page or
 * options.base (e.g. 'http://127.0.0.1:8080').
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.Switchboard = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /** Close codes after which the client reconnects by default (RFC 6455 §7.4.1 and the IANA registry). */
  const RECONNECT_CODES = [1001, 1006, 1012, 1013];

  const DEFAULTS = {
    token: null,               // string or () => string | Promise<string>; sent as ?token= (the gateway's WebSocket rule)
    base: null,                // origin for relative URLs outside a browser page
    protocols: undefined,      // WebSocket subprotocols
    reconnectCodes: RECONNECT_CODES,
    initialDelayMs: 500,       // first retry after about this long
    maxDelayMs: 30000,         // the cap on the exponential part
    factor: 2,
    jitter: 0.5,               // the share of each delay that is random: wait = d * (1 - jitter) + random * d * jitter
    maxAttempts: Infinity,     // consecutive failed attempts before giving up (a successful open resets the count)
    onOpen: null,              // (socket, {reconnected}) => void: re-join groups, re-subscribe, resend state
    WebSocket: null,           // implementation; defaults to the global one
    random: Math.random,       // injectable for tests
  };

  /** The delay before retry number `attempt` (1-based): capped exponential with jitter. */
  function backoffDelay(attempt, options) {
    const o = Object.assign({}, DEFAULTS, options);
    const exp = Math.min(o.maxDelayMs, o.initialDelayMs * Math.pow(o.factor, Math.max(0, attempt - 1)));
    return Math.round(exp * (1 - o.jitter) + o.random() * exp * o.jitter);
  }

  function absoluteUrl(path, base) {
    if (/^wss?:\/\//i.test(path)) return path;
    let origin = base;
    if (!origin && typeof location !== 'undefined') origin = location.origin;
    if (!origin) throw new Error('Switchboard.connect: relative URL ' + path + ' needs options.base outside a browser');
    const url = new URL(path, origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
    return url.toString();
  }

  class SwitchboardSocket {
    constructor(url, options) {
      this.options = Object.assign({}, DEFAULTS, options);
      this.url = url;
      this.state = 'idle';       // idle | connecting | open | reconnecting | closed
      this.attempt = 0;          // consecutive attempts since the last successful open
      this.opens = 0;
      this.listeners = {};
      this.ws = null;
      this.timer = null;
      this.closedByUser = false;
    }

    /** Adds a listener for 'connecting', 'open', 'message', 'reconnecting', 'close' or 'error'. */
    on(event, fn) { (this.listeners[event] = this.listeners[event] || []).push(fn); return this; }

    off(event, fn) { this.listeners[event] = (this.listeners[event] || []).filter(f => f !== fn); return this; }

    emit(event, ...args) {
      for (const fn of (this.listeners[event] || []).slice()) {
        try { fn(...args); } catch (err) { setTimeout(() => { throw err; }); }   // a listener's bug must not stop the client
      }
    }

    /** Sends a value as JSON (a string is sent as it is). Throws when the socket is not open: nothing is queued. */
    send(value) {
      if (this.state !== 'open') throw new Error('Switchboard socket is ' + this.state + ', not open');
      this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
    }

    /** Closes for good (no reconnect). */
    close(code = 1000, reason = '') {
      this.closedByUser = true;
      clearTimeout(this.timer);
      this.timer = null;
      if (this.ws && this.ws.readyState <= 1) this.ws.close(code, reason);
      else this.finish(code, reason);
    }

    async open() {
      if (this.closedByUser) return;
      const o = this.options;
      this.attempt++;
      this.state = 'connecting';
      this.emit('connecting', {attempt: this.attempt, url: this.url});
      let url;
      try {
        url = new URL(absoluteUrl(this.url, o.base));
        const token = typeof o.token === 'function' ? await o.token() : o.token;
        if (token) url.searchParams.set('token', token);
      } catch (err) {
        this.emit('error', err);
        return this.finish(1006, String(err && err.message || err));
      }
      if (this.closedByUser) return;
      const Impl = o.WebSocket || (typeof WebSocket !== 'undefined' ? WebSocket : null);
      if (!Impl) throw new Error('no WebSocket implementation: pass options.WebSocket');
      const ws = o.protocols === undefined ? new Impl(url.toString()) : new Impl(url.toString(), o.protocols);
      this.ws = ws;
      ws.onopen = () => {
        const reconnected = this.opens > 0;
        this.opens++;
        this.attempt = 0;
        this.state = 'open';
        if (o.onOpen) { try { o.onOpen(this, {reconnected}); } catch (err) { this.emit('error', err); } }
        this.emit('open', {reconnected, opens: this.opens});
      };
      ws.onmessage = event => {
        let data = event.data;
        if (typeof data === 'string') { try { data = JSON.parse(data); } catch (e) { /* plain text stays a string */ } }
        this.emit('message', data, event);
      };
      ws.onerror = event => this.emit('error', event);
      ws.onclose = event => { if (this.ws === ws) this.closed(event.code, event.reason); };
    }

    closed(code, reason) {
      this.ws = null;
      const o = this.options;
      const retry = !this.closedByUser && o.reconnectCodes.includes(code) && this.attempt < o.maxAttempts;
      if (!retry) return this.finish(code, reason);
      const inMs = backoffDelay(this.attempt + 1, o);
      this.state = 'reconnecting';
      this.emit('close', {code, reason, willReconnect: true});
      this.emit('reconnecting', {inMs, attempt: this.attempt + 1, code, reason});
      this.timer = setTimeout(() => { this.timer = null; this.open(); }, inMs);
    }

    finish(code, reason) {
      this.timer = null;
      if (this.state === 'closed') return;
      this.state = 'closed';
      this.emit('close', {code, reason, willReconnect: false});
    }
  }

  /** Opens a socket to `url` (absolute ws(s)://, or a path on this page's origin / options.base). */
  function connect(url, options) {
    const socket = new SwitchboardSocket(url, options);
    // first attempt on the next microtask, so that listeners added right after connect() see 'connecting'
    Promise.resolve().then(() => socket.open());
    return socket;
  }

  return {connect, backoffDelay, SwitchboardSocket, RECONNECT_CODES};
});
