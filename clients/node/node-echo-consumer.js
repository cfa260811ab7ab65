'use strict';
// A Switchboard WebSocket consumer written in Node: serves /ws/node-echo through the gateway, as
// clients/python/py_echo_consumer.py serves /ws/py-echo.
//
// It registers on the consumer's shared address over the TCP bridge, announces its route (/ws/node-echo →
// node-echo) to every gateway with announceRoutes (withdrawn when its connection closes), answers each
// websocket.connect with an accept naming its own instance address, and answers every text frame with
// "node-echo: <text>" by sending websocket.send to the connection's channel. The bridge must permit:
//
//   SWITCHBOARD_TCP_BRIDGE_OUTBOUND='re:switchboard\.consumer\.node-echo(\..+)?'
//   SWITCHBOARD_TCP_BRIDGE_INBOUND='switchboard.routes.announce,re:switchboard\.inbox\..+'
//   SWITCHBOARD_TCP_BRIDGE_ROUTES='/ws/node-echo'
//
// Usage: node node-echo-consumer.js [PORT] [HOST] (7000, 127.0.0.1; SWITCHBOARD_TOKEN for a JWT)
// Prints "node-echo ready" once registered and announced; stops on SIGTERM/Ctrl-C or when the bridge goes away.
const crypto = require('crypto');
const { EventBus } = require('./switchboard-bus');

const NAME = 'node-echo';
const SHARED_ADDRESS = 'switchboard.consumer.' + NAME;
const ROUTES = [{ kind: 'websocket', pattern: '/ws/node-echo', consumer: NAME }];
const MAX_CONNECTIONS = 10000;

async function main(port, host) {
  const bus = await EventBus.connect({ host, port, token: process.env.SWITCHBOARD_TOKEN });
  const instance = SHARED_ADDRESS + '.' + crypto.randomUUID();
  const channels = new Set();
  await bus.register(instance, (message) => {
    const event = message.body || {};
    if (event.type === 'websocket.receive' && channels.has(event.channel) && typeof event.text === 'string') {
      bus.sendToChannel(event.channel, { type: 'websocket.send', text: 'node-echo: ' + event.text });
    } else if (event.type === 'websocket.disconnect') {
      channels.delete(event.channel);
    }
  });
  await bus.register(SHARED_ADDRESS, (message) => {
    const event = message.body || {};
    if (event.type !== 'websocket.connect' || !event.channel) {
      message.reply({ type: 'websocket.close', code: 1008, reason: 'expected websocket.connect' });
    } else if (channels.size >= MAX_CONNECTIONS) {
      message.reply({ type: 'websocket.close', code: 1013, reason: 'node-echo is full' });
    } else {
      channels.add(event.channel);
      message.reply({ type: 'websocket.accept', subprotocol: null, instance, node: 'node-' + process.pid, binary: false });
    }
  });
  // after registering: a gateway that hears of the route finds the consumer listening
  await bus.announceRoutes(instance, ROUTES);
  console.log(NAME + ' ready');
  bus.on('close', () => process.exit(0));
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { bus.close(); process.exit(0); });
}

main(Number(process.argv[2] || 7000), process.argv[3] || '127.0.0.1').catch((err) => {
  console.log('FAILED ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
