// Regression: winston-daily-rotate-file gzipped (then deleted) a rotated file as soon as
// the rotation happened, while the last writes to it were still queued. With rotations
// close together, lines were lost (3,984 of 4,000 kept in one run) and files rotated
// before they were even opened stayed uncompressed forever, or outlived the retention.
// otelkit runs the library's archiving only once the old file is written and closed.
// (otelkit hands the library one write per tick, so here a file rotates on every tick.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runApp, fixture, freePort } from '../helpers/app.mjs';
import { jsonLines, tempDir, logFiles } from '../helpers/logs.mjs';

async function burst(dir, maxFiles) {
  return runApp(fixture('log-burst.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      ENABLE_JSON_LOGS: 'true',
      LOG_FILE: join(dir, 'app.log'),
      LOG_MAX_SIZE: '2k',
      LOG_MAX_FILES: maxFiles,
      RATE: '2000',
      DURATION_MS: '2000',
    },
  });
}

test('a rotation on every tick: every line kept once, every rotated file compressed', async () => {
  const dir = tempDir();
  const run = await burst(dir, '100000');
  assert.equal(run.code, 0, run.stderr);
  const sent = Number(/SENT (\d+)/.exec(run.stdout)[1]);
  const files = logFiles(dir);
  const seqs = files.flatMap((f) => jsonLines(f.text)).filter((l) => l.message === 'burst').map((l) => l.seq);
  assert.equal(new Set(seqs).size, sent, `${sent - new Set(seqs).size} lines lost`);
  assert.equal(seqs.length, sent, 'no line twice');
  assert.ok(files.length > 150, `${files.length} files`);
  assert.deepEqual(files.filter((f) => !f.gz).map((f) => f.name), [files.at(-1).name], 'only the current file is uncompressed');
});

test('a rotation on every tick with LOG_MAX_FILES=2: exactly two files remain', async () => {
  const dir = tempDir();
  const run = await burst(dir, '2');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(logFiles(dir).length, 2, logFiles(dir).map((f) => f.name).join());
  assert.ok(!run.stderr.includes('warning'), run.stderr);
});
