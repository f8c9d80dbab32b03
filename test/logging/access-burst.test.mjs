// Access lines come many per event-loop turn and are written together; here some are long
// (4 KB paths fill the turn's 64 KB buffer within a turn; lines of 12 KB paths, which
// carry the path twice, are longer than it holds at three bytes a character and are
// written on their own between the others), stdout is not read for a second, and the app
// ends by itself: every request's line arrives once, whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, freePort, runApp } from '../helpers/app.mjs';

for (const pad of [4000, 12000]) test(`300 access lines in bursts, ${pad / 1000} KB paths, stdout paused, natural exit: each line once and whole`, async () => {
  const count = 300;
  const env = { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true', COUNT: String(count), PAD: String(pad) };
  const { code, stderr, stdout } = await runApp(fixture('access-burst.js'), { env, pauseStdoutMs: 1000 });
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`SENT ${count}`));

  const seen = new Map();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const record = JSON.parse(line); // a torn or merged line would not parse
    if (record.component !== 'http') continue;
    const m = /^\/burst\/(\d+)\/(x+)$/.exec(record.path);
    assert.ok(m, `unexpected access line path ${record.path.slice(0, 80)}`);
    const i = Number(m[1]);
    assert.equal(m[2].length, i % 5 === 0 ? pad : 8, `path of request ${i} cut short`);
    seen.set(i, (seen.get(i) ?? 0) + 1);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  assert.deepEqual(missing, [], 'every request has its access line');
  assert.ok([...seen.values()].every((n) => n === 1), 'no access line repeated');
});
