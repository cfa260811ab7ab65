// Drives /dashboard in Debian's headless chromium against a running Switchboard (SWITCHBOARD_URL): the page loads
// from the gateway alone, shows a task going PENDING -> SUCCESS live, shows a failed task with its error, and its
// revoke button revokes a waiting task, and its pause / resume buttons hold and release a queue. Saves a screenshot to SCREENSHOT. Exit code 0 when every check passed.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.SWITCHBOARD_URL;
const screenshot = process.env.SCREENSHOT || 'dashboard.png';
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('SWITCHBOARD_URL is not set');
setTimeout(() => { console.error('not ok - the browser test did not finish within 120 s'); process.exit(1); }, 120000).unref();

let passed = 0, failed = 0;
async function check(name, body) {
  try {
    await body();
    passed++;
    console.log('ok - ' + name);
  } catch (err) {
    failed++;
    console.log('not ok - ' + name + ': ' + err.message);
  }
}

async function submit(name, args, options = {}) {
  const response = await fetch(`${base}/api/tasks/${name}`, {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({args, options})});
  if (response.status !== 202) throw new Error(`submit ${name}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()).id;
}

const stateCell = id => `#recent tr[data-task-id="${id}"] .state`;
async function waitForState(page, id, state, timeout) {
  await page.waitForFunction(([selector, expected]) => {
    const cell = document.querySelector(selector);
    return cell && cell.textContent === expected;
  }, [stateCell(id), state], {timeout});
}

const userDataDir = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: browserPath,
  headless: true,
  viewport: {width: 1400, height: 1000},
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const outside = [];
context.on('request', request => {
  const url = request.url();
  const local = base.replace(/^http/, 'ws');
  if (!url.startsWith(base) && !url.startsWith(local) && !url.startsWith('data:')) outside.push(url);
});
const page = context.pages()[0] || await context.newPage();
const pageErrors = [];
page.on('pageerror', err => pageErrors.push(err.message));

try {
  await check('the dashboard loads from the gateway and its live feed connects', async () => {
    const response = await page.goto(`${base}/dashboard`);
    if (!response.ok()) throw new Error('HTTP ' + response.status());
    await page.waitForSelector('#feed.up', {timeout: 10000});
    await page.waitForFunction(() => document.querySelector('#nodes tbody').textContent.includes('gateway'), null, {timeout: 10000});
  });

  await check('a task shows PENDING, then SUCCESS, as it happens', async () => {
    const id = await submit('long_running', [1], {countdown: 2});
    await waitForState(page, id, 'PENDING', 5000);
    await waitForState(page, id, 'SUCCESS', 15000);
    const row = await page.textContent(`#recent tr[data-task-id="${id}"]`);
    if (!row.includes('Task finished!')) throw new Error('no result in the row: ' + row);
  });

  await check('a failed task is listed with its error', async () => {
    const id = await submit('long_running', [-1]);
    await page.waitForFunction(id => {
      const row = document.querySelector(`#failed tr[data-task-id="${id}"]`);
      return row && row.textContent.includes('n must be 0 to');
    }, id, {timeout: 10000});
  });

  await check('the revoke button revokes a waiting task', async () => {
    const id = await submit('add', [1, 2], {countdown: 600});
    await waitForState(page, id, 'PENDING', 5000);
    await page.click(`#recent tr[data-task-id="${id}"] button.revoke`);
    await waitForState(page, id, 'REVOKED', 5000);
    const task = await (await fetch(`${base}/api/tasks/${id}`)).json();
    if (task.state !== 'REVOKED') throw new Error('the API says ' + task.state);
  });

  await check('the pause button holds a new task PENDING, resume runs it', async () => {
    page.on('dialog', dialog => dialog.accept());
    const queueRow = '#queues tr[data-queue="default"]';
    await page.waitForSelector(`${queueRow} button.pause`, {timeout: 10000});
    await page.click(`${queueRow} button.pause`);
    await page.waitForFunction(row => {
      const cell = document.querySelector(row + ' .state');
      return cell && cell.textContent === 'paused';
    }, queueRow, {timeout: 10000});
    const id = await submit('add', [2, 3]);
    await waitForState(page, id, 'PENDING', 5000);
    // a second snapshot later it is still waiting: nothing started it
    await page.waitForFunction(row => Number(document.querySelector(row).children[2].textContent) >= 1, queueRow, {timeout: 10000});
    const waiting = await (await fetch(`${base}/api/tasks/${id}`)).json();
    if (waiting.state !== 'PENDING') throw new Error('a paused queue started it: ' + waiting.state);
    await page.click(`${queueRow} button.resume`);
    await waitForState(page, id, 'SUCCESS', 15000);
  });

  await check('a chat socket opened by the page shows under connections and groups', async () => {
    await page.evaluate(() => { window.chat = new WebSocket(`ws://${location.host}/ws/chat/lobby`); });
    await page.waitForFunction(() => document.querySelector('#connections tbody').textContent.includes('/ws/chat/:room')
      && /lobby\s*1/.test(document.querySelector('#groups tbody').textContent), null, {timeout: 10000});
  });

  await check('the Schedules form adds a schedule: next, then last run shown; bad cron refused; remove removes it', async () => {
    const row = '#schedules tr[data-schedule="dash-beat"]';
    await page.fill('#schedule-form input[name=name]', 'dash-beat');
    await page.fill('#schedule-form input[name=task]', 'add');
    await page.fill('#schedule-form input[name=when]', '61 * * * *');
    await page.click('#schedule-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#schedule-status').textContent.includes('cron'), null, {timeout: 10000});
    await page.fill('#schedule-form input[name=when]', '1s');
    await page.fill('#schedule-form input[name=args]', '[2, 3]');
    await page.click('#schedule-form button[type=submit]');
    await page.waitForSelector(`${row} .next`, {timeout: 10000});
    await page.waitForFunction(selector => {
      const cell = document.querySelector(selector);
      return cell && cell.textContent.includes('dash-beat:');
    }, `${row} .last .mono`, {timeout: 15000});
    const id = (await page.textContent(`${row} .last .mono`)).trim();
    const task = await (await fetch(`${base}/api/tasks/${encodeURIComponent(id)}`)).json();
    if (task.name !== 'add') throw new Error('the occurrence ' + id + ' is no add task: ' + JSON.stringify(task));
    await page.click(`${row} button.unschedule`);
    await page.waitForFunction(selector => !document.querySelector(selector), row, {timeout: 10000});
    const list = await (await fetch(`${base}/api/schedules`)).json();
    if (list.schedules.some(schedule => schedule.name === 'dash-beat')) throw new Error('the API still lists it');
  });

  await check('no request left the gateway and the page raised no error', async () => {
    if (outside.length) throw new Error('requests elsewhere: ' + outside.join(', '));
    if (pageErrors.length) throw new Error('page errors: ' + pageErrors.join('; '));
  });

  await page.screenshot({path: screenshot, fullPage: true});
  console.log('screenshot: ' + screenshot);
} finally {
  await context.close();
  rmSync(userDataDir, {recursive: true, force: true});
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
