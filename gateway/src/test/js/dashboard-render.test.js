// Unit test of the dashboard's rendering (gateway/src/main/resources/dashboard/dashboard.js): the page script runs in
// a sandbox with a stand-in document and a feed that sends one snapshot; what it writes into the tables is checked.
// Run: node --test gateway/src/test/js/ (DashboardRenderingTest runs it in the build).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SCRIPT = fs.readFileSync(path.join(__dirname, '../../main/resources/dashboard/dashboard.js'), 'utf8');

/** Runs the dashboard against a feed that sends `snapshot` once; resolves with the elements by id after it rendered. */
function render(snapshot) {
  const elements = new Map();
  const element = id => {
    if (!elements.has(id)) {
      const tbody = {innerHTML: ''};
      elements.set(id, {id, textContent: '', className: '', innerHTML: '', tbody, classList: {add() {}, remove() {}},
        querySelector: () => tbody});
    }
    return elements.get(id);
  };
  let rendered;
  const done = new Promise(resolve => { rendered = resolve; });
  let served = false;
  const feed = () => {
    if (served) return new Promise(() => {}); // the page's reconnect waits for ever: the test is over
    served = true;
    const event = 'data: ' + JSON.stringify(snapshot) + '\n\n';
    return Promise.resolve({ok: true, status: 200, body: new ReadableStream({
      start(controller) { controller.enqueue(new TextEncoder().encode(event)); controller.close(); },
    })});
  };
  const sandbox = {
    document: {getElementById: element, addEventListener() {}},
    location: {hash: ''},
    fetch: feed,
    URLSearchParams, TextDecoderStream, TextEncoder, ReadableStream, Promise, JSON, Math, Date, Number, String, Object,
    setTimeout: () => { rendered(elements); return 0; }, // the feed ended: everything it sent was rendered
    clearTimeout() {},
    SwitchboardChart: {draw() {}},
    Switchboard: {connect() { return {on() {}, close() {}}; }},
  };
  vm.runInNewContext(SCRIPT, sandbox, {filename: 'dashboard.js'});
  return done;
}

const HOSTILE = '<img src=x onerror=alert(1)>';

test('task progress from task code is escaped: text in current/total never becomes markup', async () => {
  const elements = await render({
    ts: Date.now(),
    recent: [{id: 't1', name: 'evil', state: 'PROGRESS', progress: {current: HOSTILE, total: '"><script>x()</script>'}}],
    failed: [],
  });
  const html = elements.get('recent').tbody.innerHTML;
  assert.ok(html.includes('evil'), html);
  assert.ok(!html.includes('<img') && !html.includes('<script'), 'markup from progress reached the page: ' + html);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), html);
  assert.ok(html.includes('&quot;&gt;&lt;script&gt;'), html);
});

test('numeric progress still shows as a bar and current/total', async () => {
  const elements = await render({
    ts: Date.now(), recent: [{id: 't2', name: 'long_running', state: 'PROGRESS', progress: {current: 3, total: 4}}], failed: [],
  });
  const html = elements.get('recent').tbody.innerHTML;
  assert.ok(html.includes('width:75%') && html.includes('3/4'), html);
});
