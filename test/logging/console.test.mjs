// The console transport under a reader that stops reading: the app is not stalled, its
// own console.log output and otelkit's lines never interleave inside a line, and once the
// reader reads again every line arrives, once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, freePort, runApp } from '../helpers/app.mjs';

test('stdout not read for 2 s during a burst: no stall, no torn line, nothing lost', async () => {
  const { code, stderr, stdout } = await runApp(fixture('log-burst.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true', RATE: '5000', DURATION_MS: '1000', PAD: '400', APP_ECHO: '1' }, pauseStdoutMs: 2000 });
  assert.equal(code, 0, stderr);

  const [, burstMs, ticks] = /BURST_MS (\d+) TICKS (\d+)/.exec(stderr).map(Number);
  assert.ok(burstMs < 1800, `logging 5,000 lines took ${burstMs} ms while stdout was not read`);

  const lines = stdout.split('\n').filter(Boolean);
  const seqs = [];
  const appLines = [];
  for (const line of lines) {
    if (line.startsWith('app line ')) appLines.push(Number(line.slice(9)));
    else if (line.startsWith('SENT ')) continue;
    else {
      const parsed = JSON.parse(line); // a torn line would not parse
      if (parsed.message === 'burst') seqs.push(parsed.seq);
    }
  }
  assert.equal(seqs.length, 5000);
  assert.ok(seqs.every((s, i) => s === i), 'otelkit lines complete and in order');
  assert.deepEqual(appLines, Array.from({ length: ticks }, (_, i) => i), "the app's own lines complete and in order");
});
