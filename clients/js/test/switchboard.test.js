// Unit tests of the client's reconnect policy against a scripted WebSocket (the end-to-end test against real JVMs
// in Chromium is deploy/src/test/js/sdk-reconnect.test.mjs). Run: node --test clients/js/test/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const Switchboard = require('../switchboard.js');

/** A WebSocket stand-in whose server side the test drives: every instance is pushed to `sockets`. */
function scriptedWebSocket() {
  const sockets = [];
  const waiters = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url; this.readyState = 0; this.sent = [];
      sockets.push(this);
      for (const w of waiters.splice(0)) w();
    }
    send(data) { this.sent.push(data); }
    close(code = 1000, reason = '') { this.serverClose(code, reason); }
    serverOpen() { this.readyState = 1; this.onopen && this.onopen({}); }
    serverSend(text) { this.onmessage && this.onmessage({data: text}); }
    serverClose(code, reason = '') { this.readyState = 3; this.onclose && this.onclose({code, reason}); }
  }
  const nth = n => new Promise(resolve => {
    const check = () => sockets.length >= n ? resolve(sockets[n - 1]) : waiters.push(check);
    check();
  });
  return {FakeWebSocket, sockets, nth};
}

const once = (socket, event) => new Promise(resolve => socket.on(event, function h(...a) { socket.off(event, h); resolve(a); }));

test('backoff doubles from the initial delay, is capped, and jitter stays within its share', () => {
  const o = {initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5};
  assert.deepStrictEqual([1, 2, 3, 4, 5, 9].map(a => Switchboard.backoffDelay(a, {...o, random: () => 1})), [100, 200, 400, 800, 1000, 1000]);
  assert.deepStrictEqual([1, 2, 5].map(a => Switchboard.backoffDelay(a, {...o, random: () => 0})), [50, 100, 500]);
  for (let i = 0; i < 200; i++) {
    const d = Switchboard.backoffDelay(12, o);
    assert.ok(d >= 500 && d <= 1000, 'jittered delay ' + d);
  }
});

test('JSON in and out; a token (function) is asked before every attempt and sent as ?token=', async () => {
  const {FakeWebSocket, nth} = scriptedWebSocket();
  let asked = 0;
  const s = Switchboard.connect('/ws/chat/lobby', {base: 'http://gw.example:8080', WebSocket: FakeWebSocket,
    token: async () => 'tok' + (++asked), initialDelayMs: 1});
  const ws = await nth(1);
  assert.strictEqual(ws.url, 'ws://gw.example:8080/ws/chat/lobby?token=tok1');
  ws.serverOpen();
  s.send({message: 'hi'});
  assert.deepStrictEqual(ws.sent, ['{"message":"hi"}']);
  const got = once(s, 'message');
  ws.serverSend('{"room":"lobby","message":"hi"}');
  assert.deepStrictEqual((await got)[0], {room: 'lobby', message: 'hi'});
  const text = once(s, 'message');
  ws.serverSend('NOT JSON');
  assert.strictEqual((await text)[0], 'NOT JSON');
  ws.serverClose(1012, 'service restart');
  assert.strictEqual((await nth(2)).url, 'ws://gw.example:8080/ws/chat/lobby?token=tok2');
  s.close();
});

for (const code of [1001, 1006, 1012, 1013]) {
  test(`after ${code} it says "reconnecting in N ms", reconnects, and the onOpen hook re-joins`, async () => {
    const {FakeWebSocket, nth} = scriptedWebSocket();
    const opens = [];
    const s = Switchboard.connect('ws://127.0.0.1:1/ws/echo', {WebSocket: FakeWebSocket, initialDelayMs: 5, jitter: 0,
      onOpen: (sock, info) => { opens.push(info.reconnected); sock.send({join: 'room'}); }});
    const first = await nth(1);
    first.serverOpen();
    const reconnecting = once(s, 'reconnecting');
    first.serverClose(code);
    const [info] = await reconnecting;
    assert.deepStrictEqual({inMs: info.inMs, attempt: info.attempt, code: info.code}, {inMs: 5, attempt: 1, code});
    assert.strictEqual(s.state, 'reconnecting');
    const second = await nth(2);
    const reopened = once(s, 'open');
    second.serverOpen();
    assert.deepStrictEqual((await reopened)[0].reconnected, true);
    assert.deepStrictEqual(opens, [false, true]);
    assert.deepStrictEqual(second.sent, ['{"join":"room"}']);
    s.close();
  });
}

for (const code of [1000, 1008, 1009, 4003]) {
  test(`a ${code} close is final: no reconnect`, async () => {
    const {FakeWebSocket, nth} = scriptedWebSocket();
    const s = Switchboard.connect('ws://127.0.0.1:1/ws/echo', {WebSocket: FakeWebSocket, initialDelayMs: 1});
    let retries = 0;
    s.on('reconnecting', () => retries++);
    const ws = await nth(1);
    ws.serverOpen();
    const closed = once(s, 'close');
    ws.serverClose(code);
    assert.deepStrictEqual((await closed)[0], {code, reason: '', willReconnect: false});
    // a retry is scheduled synchronously in the close handler, with its event: neither happened
    assert.deepStrictEqual({state: s.state, timer: s.timer, retries}, {state: 'closed', timer: null, retries: 0});
  });
}

test('failed attempts back off exponentially until one opens, then the count starts again; maxAttempts gives up', async () => {
  const {FakeWebSocket, nth} = scriptedWebSocket();
  const delays = [];
  const s = Switchboard.connect('ws://127.0.0.1:1/ws/echo', {WebSocket: FakeWebSocket, initialDelayMs: 2, factor: 2,
    jitter: 0, maxDelayMs: 8, maxAttempts: 6});
  s.on('reconnecting', i => delays.push(i.inMs));
  (await nth(1)).serverOpen();
  (await nth(1)).serverClose(1006);
  for (let n = 2; n <= 4; n++) (await nth(n)).serverClose(1006);   // handshake refused three times
  const fifth = await nth(5);
  fifth.serverOpen();
  fifth.serverClose(1012);
  assert.deepStrictEqual(delays, [2, 4, 8, 8, 2]);
  const finalClose = new Promise(resolve => s.on('close', e => { if (!e.willReconnect) resolve(e); }));
  for (let n = 6; n <= 11; n++) (await nth(n)).serverClose(1006);   // six consecutive failures = maxAttempts
  assert.deepStrictEqual(await finalClose, {code: 1006, reason: '', willReconnect: false});
  assert.deepStrictEqual({state: s.state, timer: s.timer, retries: delays.length}, {state: 'closed', timer: null, retries: 10});
});

test('close() during the backoff cancels the retry', async () => {
  const {FakeWebSocket, nth, sockets} = scriptedWebSocket();
  const s = Switchboard.connect('ws://127.0.0.1:1/ws/echo', {WebSocket: FakeWebSocket, initialDelayMs: 5, jitter: 0});
  let attempts = 0;
  s.on('connecting', () => attempts++);
  const ws = await nth(1);
  ws.serverOpen();
  const reconnecting = once(s, 'reconnecting');
  ws.serverClose(1001);
  await reconnecting;
  s.close();
  assert.deepStrictEqual({state: s.state, timer: s.timer}, {state: 'closed', timer: null});
  // the later event that proves the cancelled retry never ran: a fresh client's own retry (same 5 ms) fires first
  const probe = Switchboard.connect('ws://127.0.0.1:1/ws/echo', {WebSocket: FakeWebSocket, initialDelayMs: 5, jitter: 0});
  (await nth(2)).serverClose(1006);
  await nth(3);
  probe.close();
  assert.deepStrictEqual({attempts, sockets: sockets.filter(w => w.url.includes('/ws/echo')).length}, {attempts: 1, sockets: 3});
});
