// A kept-alive connection's idle timer belongs to no request: when it fires, no request's
// trace is active, and the server still closes the idle connection on time. A timeout the
// app sets inside a request still runs in that request's trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startApp, fixture } from '../helpers/app.mjs';

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The fixture app and one plain kept-alive socket to it (Node's own client would close
 * first, on the server's Keep-Alive hint); `get(path)` sends a request and waits for its
 * answer, `received()` is everything the socket has read.
 */
async function withConnection(fn) {
  const app = await startApp(fixture('idle-timer-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', NODE_ENV: 'production' } });
  const socket = connect(Number(new URL(app.url).port), '127.0.0.1');
  let received = '';
  let answers = 0;
  socket.setEncoding('utf8').on('data', (d) => { received += d; });
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const get = async (path) => {
    answers++;
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    for (let t = 0; t < 100 && received.split('HTTP/1.1 200').length <= answers; t++) await wait(20);
  };
  try {
    await fn({ app, socket, get, closed, received: () => received });
  } finally {
    socket.destroy();
    await app.stop();
  }
}

test("the idle timer of a kept-alive connection runs outside the last request's trace and still closes it", async () => {
  await withConnection(async ({ app, get, closed, received }) => {
    for (let i = 0; i < 3; i++) await get('/');
    assert.equal(received().split('HTTP/1.1 200').length - 1, 3, received());
    const began = Date.now();
    await closed;
    const closedAfter = Date.now() - began;
    assert.ok(closedAfter < 3000, `closed after ${closedAfter} ms`);
    for (let i = 0; i < 50 && !/connection idle/.test(app.stdout()); i++) await wait(50);
    assert.match(app.stdout(), /IDLE TIMEOUT trace=none/);
    const line = app.stdout().split('\n').find((l) => l.includes('connection idle'));
    const entry = JSON.parse(line);
    assert.equal(entry.trace_id, undefined, line);
    assert.equal(entry.request_id, undefined, line);
  });
});

test("a request's own timeout on a kept-alive connection runs in that request's trace", async () => {
  await withConnection(async ({ get, received }) => {
    // Two answered requests first: Node has armed the connection's idle timer after each.
    for (const path of ['/', '/', '/wait']) await get(path);
    for (let t = 0; t < 50 && !/timeout trace=\w+$/.test(received()); t++) await wait(20);
    const last = received().slice(received().lastIndexOf('HTTP/1.1 200'));
    const sent = /traceparent;desc="00-([0-9a-f]{32})-/.exec(last)?.[1];
    assert.ok(sent, last);
    assert.match(last, new RegExp(`timeout trace=${sent}$`));
  });
});
