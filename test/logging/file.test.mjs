// LOG_FILE on a real disk: size rotation under load without losing or repeating a line,
// compressed archives, retention that really deletes, flat file descriptors, a failing
// file that never stops the app, and no line lost to process.exit().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, readFileSync, writeFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { startApp, runApp, fixture, freePort, get } from '../helpers/app.mjs';
import { jsonLines, tempDir, logFiles } from '../helpers/logs.mjs';

const today = () => new Date().toISOString().slice(0, 10);

/** Runs log-burst.js to its natural end, sampling the child's open file descriptors. */
async function burst(env) {
  const app = await startApp(fixture('log-burst.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true', ...env },
    readyPattern: /"instrumentations"(?<port>)/,
  });
  const fds = [];
  const sampler = setInterval(() => {
    try {
      // An exited child not yet reaped still has a /proc entry, with no descriptors.
      const n = readdirSync(`/proc/${app.child.pid}/fd`).length;
      if (n > 0) fds.push(n);
    } catch {
      // exited
    }
  }, 100);
  const { code } = await app.exited;
  clearInterval(sampler);
  const sent = Number(/SENT (\d+)/.exec(app.stdout())?.[1]);
  return { code, sent, fds, stdout: app.stdout(), stderr: app.stderr() };
}

/** Sequence numbers found in a log directory: each must appear exactly once. */
function sequences(dir) {
  const seen = new Map();
  for (const f of logFiles(dir)) {
    for (const line of jsonLines(f.text)) if (line.message === 'burst') seen.set(line.seq, (seen.get(line.seq) ?? 0) + 1);
  }
  return seen;
}

test('2,000 lines/s across 20+ size rotations: no line missing or repeated, archives gzipped, fds flat', async () => {
  const dir = tempDir();
  const run = await burst({ LOG_FILE: join(dir, 'app.log'), LOG_MAX_SIZE: '50k', LOG_MAX_FILES: '1000', RATE: '2000', DURATION_MS: '5000' });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.sent, 10000);
  const files = logFiles(dir);
  const archives = files.filter((f) => f.gz);
  const plain = files.filter((f) => !f.gz);
  assert.ok(archives.length >= 20, `${archives.length} rotations`);
  assert.ok(archives.every((f) => f.magic === '1f8b' && /^app-\d{4}-\d{2}-\d{2}(\.\d+)?\.log\.gz$/.test(f.name)), archives.map((f) => f.name).join());
  assert.equal(plain.length, 1, `only the current file is uncompressed: ${plain.map((f) => f.name)}`);
  const seen = sequences(dir);
  const missing = [];
  for (let i = 0; i < run.sent; i++) if (!seen.has(i)) missing.push(i);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([seq]) => seq);
  assert.deepEqual({ missing: missing.slice(0, 20), repeated: repeated.slice(0, 20) }, { missing: [], repeated: [] });
  assert.equal(seen.size, 10000);
  // Descriptors: the count does not grow with the rotations. While a rotated file is being
  // compressed, its reader and the .gz writer are open too. A sample taken while the child
  // exits can be lower (it is closing them): only growth counts.
  const steady = run.fds.slice(3);
  assert.ok(steady.length >= 20, `${steady.length} samples`);
  const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.max(...steady) - Math.min(...steady.slice(0, 10)) <= 4, `fd counts ${run.fds.join(',')}`);
  assert.ok(avg(steady.slice(-10)) <= avg(steady.slice(0, 10)) + 1, `fd counts ${run.fds.join(',')}`);
  console.log(`# 2,000 lines/s for 5 s, natural exit, ${archives.length} rotations: missing ${missing.length}, repeated ${repeated.length} of ${run.sent}; fds ${Math.min(...steady)}–${Math.max(...steady)}`);
});

test('retention by count: LOG_MAX_FILES=3 leaves three files after 30+ rotations', async () => {
  const dir = tempDir();
  const run = await burst({ LOG_FILE: join(dir, 'app.log'), LOG_MAX_SIZE: '20k', LOG_MAX_FILES: '3', RATE: '2000', DURATION_MS: '2000' });
  assert.equal(run.code, 0, run.stderr);
  const files = logFiles(dir);
  assert.equal(files.length, 3, files.map((f) => f.name).join());
  assert.equal(files.filter((f) => f.gz).length, 2);
  const counts = files.map((f) => Number(/\.(\d+)\.log/.exec(f.name)?.[1] ?? 0));
  assert.ok(Math.max(...counts) >= 30, `rotations: ${counts}`);
  const audit = JSON.parse(readFileSync(join(dir, '.app.log-audit.json'), 'utf8'));
  assert.equal(audit.files.length, 3);
});

// Shutdown also waits for compressions under way: killed in the middle of one, the library
// left a half-written .gz (which this test's reader rejects).
test('stopped by SIGTERM mid-burst: every line on the console is in the file too, archives whole', async () => {
  const dir = tempDir();
  const app = await startApp(fixture('log-burst.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      ENABLE_JSON_LOGS: 'true',
      LOG_FILE: join(dir, 'app.log'),
      LOG_MAX_SIZE: '100k',
      RATE: '5000',
      DURATION_MS: '10000',
    },
    readyPattern: /"instrumentations"(?<port>)/,
  });
  await new Promise((r) => setTimeout(r, 1500));
  const { signal } = await app.stop('SIGTERM');
  assert.equal(signal, 'SIGTERM', 'the process still ends by the signal');
  const logged = new Set(jsonLines(app.stdout()).filter((l) => l.message === 'burst').map((l) => l.seq));
  const filed = new Set(logFiles(dir).flatMap((f) => jsonLines(f.text)).filter((l) => l.message === 'burst').map((l) => l.seq));
  assert.ok(logged.size > 1000, `${logged.size} lines logged`);
  const missing = [...logged].filter((seq) => !filed.has(seq));
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${logged.size} lines missing from the file`);
});

test('an unwritable LOG_FILE: one warning, the app keeps serving and logging to the console', async (t) => {
  const base = tempDir();
  writeFileSync(join(base, 'not-a-dir'), 'x');
  const full = join(base, 'full');
  mkdirSync(full);
  symlinkSync('/dev/full', join(full, `app-${today()}.log`));
  const cases = {
    'parent is a file (ENOTDIR)': join(base, 'not-a-dir', 'app.log'),
    'directory cannot be created (ENOENT)': '/proc/otelkit-no-such-dir/app.log',
    'disk full (ENOSPC)': join(full, 'app.log'),
  };
  for (const [name, file] of Object.entries(cases)) {
    await t.test(name, async () => {
      const app = await startApp(fixture('log-app.js'), {
        env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true', LOG_FILE: file },
      });
      try {
        for (let i = 0; i < 5; i++) {
          const res = await get(`${app.url}/hello`, { 'x-request-id': `fail-${i}` });
          assert.equal(res.status, 200);
          await new Promise((r) => setTimeout(r, 50));
        }
        const lines = jsonLines(app.stdout());
        for (let i = 0; i < 5; i++) assert.ok(lines.some((l) => l.request_id === `fail-${i}` && l.message === 'hello handled'), `console line ${i}`);
        const warnings = (app.stdout() + app.stderr()).split('\n').filter((l) => l.includes('cannot be written'));
        assert.equal(warnings.length, 1, warnings.join('\n'));
        assert.match(warnings[0], /"level":"warn"/);
        assert.ok(warnings[0].includes(file));
      } finally {
        await app.stop();
      }
    });
  }
});

test('logger.error() then process.exit(1): of 10,000 lines none is lost, on the console or in the rotated file', async () => {
  for (const [maxSize, warmMs] of [['500m', '0'], ['100k', '0'], ['500m', '300'], ['100k', '300']]) {
    const dir = tempDir();
    const run = await runApp(fixture('log-exit.js'), {
      env: {
        OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
        ENABLE_JSON_LOGS: 'true',
        LOG_FILE: join(dir, 'app.log'),
        LOG_MAX_SIZE: maxSize,
        LINES: '10000',
        WARM_MS: warmMs,
      },
    });
    assert.equal(run.code, 1, 'the exit code is the app\'s');
    const console = jsonLines(run.stdout).filter((l) => typeof l.seq === 'number');
    const file = logFiles(dir).flatMap((f) => jsonLines(f.text)).filter((l) => typeof l.seq === 'number');
    const lost = (lines) => 10001 - new Set(lines.map((l) => l.seq)).size;
    assert.equal(lost(console), 0, `console (LOG_MAX_SIZE=${maxSize}, WARM_MS=${warmMs})`);
    assert.equal(lost(file), 0, `file (LOG_MAX_SIZE=${maxSize}, WARM_MS=${warmMs}): ${logFiles(dir).map((f) => f.name)}`);
    assert.equal(file.length, 10001, 'no line twice');
    assert.ok(file.every((l, i) => i === 0 || l.seq === file[i - 1].seq + 1), 'in order');
    assert.equal(file.at(-1).level, 'error');
    assert.equal(file.at(-1).seq, 10000, 'the last line is the error, last');
    globalThis.console.log(`# logger.error() then process.exit(1), LOG_MAX_SIZE=${maxSize}, WARM_MS=${warmMs}: lines lost of 10,001 — console ${lost(console)}, file ${lost(file)}; exit code ${run.code}`);
  }
});
