'use strict';
// Checks the Node bridge client against the polyglot test fixtures (see clients/python/test_bus.py).
// Usage: node test-bus.js PORT — one "ok ..." line per check; exit 0, or 1 at the first failure.
const assert = require('assert');
const { EventBus } = require('./switchboard-bus');

async function expectError(name, promise, message) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err.message.includes(message), `${name}: got ${err.message}`);
    console.log('ok ' + name);
    return;
  }
  throw new Error(name + ': no error');
}

function nextMessage(queue) {
  return new Promise((resolve) => queue.waiters.push(resolve));
}

async function main(port) {
  const bus = await EventBus.connect({ host: '127.0.0.1', port, timeout: 5000 });
  const reply = await bus.request('polyglot.in.echo', { n: 1 });
  assert.deepStrictEqual(reply.body, { echo: { n: 1 } });
  console.log('ok request/reply');

  const relayed = { waiters: [] };
  await bus.register('polyglot.out.relay', (message) => relayed.waiters.shift()(message.body));
  let next = nextMessage(relayed);
  await bus.send('polyglot.in.relay', { via: 'send' }, { confirm: true });
  assert.deepStrictEqual(await next, { via: 'send' });
  console.log('ok send + subscribe');
  next = nextMessage(relayed);
  await bus.publish('polyglot.in.relay', { via: 'publish' }, { confirm: true });
  assert.deepStrictEqual(await next, { via: 'publish' });
  console.log('ok publish + subscribe');

  await bus.register('polyglot.out.service', (message) => message.reply({ answer: message.body.q * 2 }));
  const answer = await bus.request('polyglot.in.ask', { q: 21 });
  assert.deepStrictEqual(answer.body, { answer: 42 });
  console.log('ok the JVM requests a Node service');

  await expectError('a failed reply rejects', bus.request('polyglot.in.fail', {}), 'nope');
  await expectError('send to an unpermitted address is refused', bus.send('polyglot.secret', {}, { confirm: true }), 'access_denied');
  await expectError('register on an unpermitted address is refused', bus.register('polyglot.secret', () => {}), 'access_denied');

  await bus.unregister('polyglot.out.relay');
  await bus.register('polyglot.out.relay', (message) => relayed.waiters.shift()(['again', message.body]));
  next = nextMessage(relayed);
  await bus.send('polyglot.in.relay', { via: 're-register' }, { confirm: true });
  assert.deepStrictEqual(await next, ['again', { via: 're-register' }]);
  console.log('ok unregister then register');
  bus.close();
  console.log('node bridge client: all checks passed');
}

main(Number(process.argv[2])).catch((err) => {
  console.log('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
