// Unit test of the dashboard's Schedules panel (gateway/src/main/resources/dashboard/schedules.js): the script runs in
// a sandbox whose fetch answers GET /api/schedules once; what it writes into the table is checked.
// Run: node --test gateway/src/test/js/ (DashboardRenderingTest runs it in the build).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SCRIPT = fs.readFileSync(path.join(__dirname, '../../main/resources/dashboard/schedules.js'), 'utf8');

/** Runs the panel against `answer` (the body of GET /api/schedules); resolves with the elements by id once rendered. */
function render(answer) {
  const elements = new Map();
  let rendered;
  const done = new Promise(resolve => { rendered = resolve; });
  const element = id => {
    if (!elements.has(id)) {
      const tbody = {innerHTML: ''};
      const el = {id, tbody, className: '', addEventListener() {}, querySelector: () => tbody};
      let text = '';
      Object.defineProperty(el, 'textContent', {get: () => text, set: value => { text = value; if (id === 'schedules-leader') rendered(elements); }});
      elements.set(id, el);
    }
    return elements.get(id);
  };
  const requests = [];
  const sandbox = {
    document: {getElementById: element, addEventListener() {}},
    location: {hash: ''},
    fetch: (url, init) => {
      requests.push([init.method, url]);
      return Promise.resolve({ok: true, status: 200, json: () => Promise.resolve(answer)});
    },
    URLSearchParams, Promise, JSON, String, Object, encodeURIComponent,
    setInterval: () => 0,
  };
  vm.runInNewContext(SCRIPT, sandbox, {filename: 'schedules.js'});
  return done.then(result => ({elements: result, requests}));
}

const HOSTILE = '<img src=x onerror=alert(1)>';

test('schedules show when, next and last run; the leader and the bound below', async () => {
  const {elements, requests} = await render({max: 1000, leader: 'worker-42-abc', schedules: [
    {name: 'sum', task: 'add', every: '10s', next: '2026-12-02T09:00:10Z',
      last: {at: '2026-12-02T09:00:00Z', id: 'sum:2026-12-02T09:00:00Z'}},
    {name: 'morning', task: 'noop', cron: '0 9 * * 1-5', tz: 'Europe/Paris', next: '2026-12-03T08:00:00Z', last: null}]});
  const html = elements.get('schedules').tbody.innerHTML;
  assert.deepStrictEqual(requests[0], ['GET', '/api/schedules']);
  assert.ok(html.includes('every 10s') && html.includes('sum:2026-12-02T09:00:00Z'), html);
  assert.ok(html.includes('cron 0 9 * * 1-5 (Europe/Paris)') && html.includes('not yet'), html);
  assert.ok(html.includes('data-name="morning"'), html);
  assert.strictEqual(elements.get('schedules-leader').textContent, '2 of at most 1000 · sent by worker-42-abc');
});

test('names, tasks and errors are escaped: text never becomes markup', async () => {
  const {elements} = await render({max: 10, leader: null, schedules: [
    {name: HOSTILE, task: HOSTILE, every: '1s', next: 'x', last: {at: 'y', error: '"><script>x()</script>'}}]});
  const html = elements.get('schedules').tbody.innerHTML;
  assert.ok(!html.includes('<img') && !html.includes('<script'), 'markup reached the page: ' + html);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;') && html.includes('&quot;&gt;&lt;script&gt;'), html);
  assert.ok(elements.get('schedules-leader').textContent.includes('no worker'), elements.get('schedules-leader').textContent);
});
