// Unit test of the dashboard's Workflows panel (gateway/src/main/resources/dashboard/workflows.js): the script runs in
// a sandbox whose fetch answers GET /api/workflows once; what it writes into the table is checked.
// Run: node --test gateway/src/test/js/ (DashboardRenderingTest runs it in the build).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SCRIPT = fs.readFileSync(path.join(__dirname, '../../main/resources/dashboard/workflows.js'), 'utf8');

/** Runs the panel against `answer` (the body of GET /api/workflows); resolves with the elements once rendered. */
function render(answer) {
  const elements = new Map();
  let rendered;
  const done = new Promise(resolve => { rendered = resolve; });
  const element = id => {
    if (!elements.has(id)) {
      const tbody = {innerHTML: ''};
      const el = {id, tbody, querySelector: () => tbody};
      let text = '';
      Object.defineProperty(el, 'textContent', {get: () => text, set: value => { text = value; if (id === 'workflows-status') rendered(elements); }});
      elements.set(id, el);
    }
    return elements.get(id);
  };
  const requests = [];
  const sandbox = {
    document: {getElementById: element},
    location: {hash: ''},
    fetch: (url, init) => {
      requests.push(url);
      return Promise.resolve({ok: true, status: 200, json: () => Promise.resolve(answer)});
    },
    URLSearchParams, Promise, JSON, String, Object, Set, Date,
    setInterval: () => 0,
  };
  vm.runInNewContext(SCRIPT, sandbox, {filename: 'workflows.js'});
  return done.then(result => ({elements: result, requests}));
}

const HOSTILE = '<img src=x onerror=alert(1)>';

test('workflows show their state, tasks done of all, task names and result', async () => {
  const {elements, requests} = await render({workflows: [
    {id: 'w1', state: 'SUCCESS', result: 15, error: null, created: 0,
      tasks: [{id: 'w1.2', task: 'add', state: 'SUCCESS'}, {id: 'w1.3', task: 'add', state: 'SUCCESS'}]},
    {id: 'w2', state: 'STARTED', result: null, error: null, created: 0,
      tasks: [{id: 'w2.3', task: 'add', state: 'SUCCESS'}, {id: 'w2.4', task: 'xsum', state: null}]}]});
  const html = elements.get('workflows').tbody.innerHTML;
  assert.strictEqual(requests[0], '/api/workflows?limit=20');
  assert.ok(html.includes('<span class="state SUCCESS">SUCCESS</span>') && html.includes('2 / 2') && html.includes('>15<'), html);
  assert.ok(html.includes('1 / 2') && html.includes('add, xsum'), html);
});

test('errors and task names are escaped: text never becomes markup', async () => {
  const {elements} = await render({workflows: [{id: HOSTILE, state: 'FAILURE', result: null, created: 0,
    error: {type: 'WorkflowFailed', message: 'task ' + HOSTILE + ' failed'}, tasks: [{id: 'x', task: HOSTILE, state: 'FAILURE'}]}]});
  const html = elements.get('workflows').tbody.innerHTML;
  assert.ok(!html.includes('<img'), 'markup reached the page: ' + html);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;') && html.includes('class="error"'), html);
});
