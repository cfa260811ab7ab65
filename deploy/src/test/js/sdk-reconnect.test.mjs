// Drives the JS client SDK (clients/js/switchboard.js, served by the gateway as /dashboard/switchboard.js) in Debian's
// headless chromium against a gateway JVM whose /ws/echo consumer lives in another JVM (SWITCHBOARD_URL). It connects
// and echoes, then prints "KILL-CONSUMERS" and waits: the test (JsClientIT) kill -9s the consumers JVM and starts a
// new one. The page must see a 1012 close, "reconnecting in N ms" events while the route has no consumer, and then
// reconnect on its own and echo again. Prints "N passed, M failed"; exit code 0 when every check passed.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.SWITCHBOARD_URL;
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) throw new Error('SWITCHBOARD_URL is not set');
setTimeout(() => { console.log('not ok - the SDK browser test did not finish within 150 s'); process.exit(1); }, 150000).unref();

let passed = 0, failed = 0;
async function check(name, body) {
  try { await body(); passed++; console.log('ok - ' + name); } catch (err) { failed++; console.log('not ok - ' + name + ': ' + err.message); }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: browserPath, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
const pageErrors = [];
page.on('pageerror', err => pageErrors.push(err.message));
const events = () => page.evaluate(() => window.sdkEvents);
const waitFor = (predicateSource, timeout) => page.waitForFunction(predicateSource, null, {timeout, polling: 100});

try {
  await check('the gateway serves the SDK and a page connects to /ws/echo with it and echoes', async () => {
    await page.goto(base + '/dashboard/');
    await page.evaluate(() => {
      window.sdkEvents = [];
      const log = (type, detail) => window.sdkEvents.push({type, ...detail, t: Date.now()});
      window.sdk = Switchboard.connect('/ws/echo', {initialDelayMs: 200, maxDelayMs: 2000,
        onOpen: (socket, {reconnected}) => socket.send(reconnected ? 'back again' : 'hello')});
      for (const type of ['connecting', 'open', 'reconnecting', 'close']) window.sdk.on(type, d => log(type, d));
      window.sdk.on('message', data => log('message', {data}));
    });
    await waitFor(() => window.sdkEvents.some(e => e.type === 'message' && e.data === 'HELLO'), 30000);
    const types = (await events()).map(e => e.type);
    if (types[0] !== 'connecting' || !types.includes('open')) throw new Error('events ' + types.join(','));
  });

  console.log('KILL-CONSUMERS');
  await check('kill -9 of the consumers JVM: the socket closes with 1012 and the SDK says it is reconnecting', async () => {
    await waitFor(() => window.sdkEvents.some(e => e.type === 'close' && e.code === 1012 && e.willReconnect), 60000);
    const r = (await events()).find(e => e.type === 'reconnecting');
    if (!r || r.code !== 1012 || !(r.inMs > 0) || r.attempt !== 1) throw new Error('reconnecting event ' + JSON.stringify(r));
  });

  await check('it reconnects on its own once a consumers JVM serves /ws/echo again, and the onOpen hook re-joins', async () => {
    await waitFor(() => window.sdkEvents.some(e => e.type === 'message' && e.data === 'BACK AGAIN'), 120000);
    const all = await events();
    const reopened = all.filter(e => e.type === 'open');
    if (reopened.length !== 2 || reopened[1].reconnected !== true) throw new Error('opens ' + JSON.stringify(reopened));
    const retries = all.filter(e => e.type === 'reconnecting');
    console.log('# reconnect attempts: ' + retries.length + ', delays ms: ' + retries.map(e => e.inMs).join(' ')
      + ', closed -> open again: ' + (reopened[1].t - all.find(e => e.type === 'close').t) + ' ms');
    if (retries.some(e => e.inMs > 2000)) throw new Error('a delay above maxDelayMs: ' + retries.map(e => e.inMs));
    if (await page.evaluate(() => window.sdk.state) !== 'open') throw new Error('state is not open');
  });

  await check('no page errors', async () => {
    if (pageErrors.length) throw new Error(pageErrors.join('; '));
  });
} finally {
  await context.close();
  rmSync(userDataDir, {recursive: true, force: true});
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
