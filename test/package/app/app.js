// A user's app, installed in a directory of its own with its own dependencies (the packed
// otelkit, @opentelemetry/api@latest, amqplib, mysql) and started with
// `node --require otelkit/register app.js`. Prints LISTENING <port> when ready.
const http = require('node:http');
const api = require('@opentelemetry/api');
const mysql = require('mysql');
const amqplib = require('amqplib');
const { trace } = require('otelkit');

const db = mysql.createPool({ host: '127.0.0.1', user: 'root', database: 'test', connectionLimit: 1 });
const QUEUE = `otelkit-package-${process.pid}`;
const waiting = [];
let channel;

const routes = {
  '/own': () => {
    const span = api.trace.getTracer('user-app').startSpan('user.work');
    const out = { traceId: span.spanContext().traceId, recording: span.isRecording() };
    span.end();
    return out;
  },
  '/slow': () => new Promise((resolve, reject) => db.query("SELECT SLEEP(0.12) AS s, 'user-secret-4410' AS c", (err) => (err ? reject(err) : resolve({ ok: true })))),
  '/amqp': async () => {
    const got = new Promise((resolve) => waiting.push(resolve));
    channel.sendToQueue(QUEUE, Buffer.from('hi'));
    return { got: await got };
  },
  '/crash': () => trace('crashy')(() => {
    throw new Error('crash inside trace');
  })(),
};

const server = http.createServer(async (req, res) => {
  try {
    res.end(JSON.stringify(await routes[req.url]()));
  } catch (err) {
    res.statusCode = 500;
    res.end(JSON.stringify({ stack: err.stack }));
  }
});

(async () => {
  const connection = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
  channel = await connection.createChannel();
  await channel.assertQueue(QUEUE, { autoDelete: true });
  await channel.consume(QUEUE, (msg) => {
    channel.ack(msg);
    waiting.shift()?.(msg.content.toString());
  });
  server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
  process.on('SIGTERM', () => {
    server.close();
    db.end();
    connection.close().finally(() => process.exit(0));
  });
})();
