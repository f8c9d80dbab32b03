// Regression: when the disk filled up in the middle of a LOG_FILE write (a short write),
// Node's WriteStream retried the rest with the buffer its fs.write callback hands back —
// but otelkit's write tracker called back without it, so the retry threw a TypeError from
// an fs callback and the application died (exit 1) instead of logging on to the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, fixture, freePort } from '../helpers/app.mjs';
import { jsonLines } from '../helpers/logs.mjs';

const require = createRequire(import.meta.url);
const { FileTracker } = require('../../dist/src/logging/file-tracker.js');

test('the tracked fs.write and fs.writev call back with the buffers, as fs does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-tracker-'));
  const fd = openSync(join(dir, 'f.log'), 'a');
  try {
    const { fs } = new FileTracker();
    const buf = Buffer.from('line\n');
    const [, written, back] = await new Promise((r) => fs.write(fd, buf, 0, buf.length, null, (...args) => r(args)));
    assert.equal(written, buf.length);
    assert.equal(back, buf);
    const bufs = [Buffer.from('a\n'), Buffer.from('b\n')];
    const [, n, backs] = await new Promise((r) => fs.writev(fd, bufs, null, (...args) => r(args)));
    assert.equal(n, 4);
    assert.equal(backs, bufs);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true });
  }
});

const root = process.getuid?.() === 0;
test('the disk filling up mid-write: the app logs on to the console and exits 0', { skip: !root && 'needs root to mount a tmpfs' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true });
    return t.skip('mount -t tmpfs not allowed here');
  }
  try {
    const app = await startApp(fixture('log-burst.js'), {
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true', LOG_FILE: join(dir, 'app.log'), LOG_ZIP_ARCHIVES: 'false', RATE: '2000', DURATION_MS: '1500' },
      readyPattern: /"instrumentations"(?<port>)/,
    });
    const { code } = await app.exited;
    assert.equal(code, 0, app.stderr());
    assert.doesNotMatch(app.stderr(), /TypeError/);
    assert.equal(jsonLines(app.stdout()).filter((l) => l.message === 'burst').length, 3000);
    assert.match(app.stdout(), /cannot be written \(ENOSPC\)/);
  } finally {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true });
  }
});
