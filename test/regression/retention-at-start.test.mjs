// Regression: retention the library applies while the transport is being constructed
// (a restart after archives aged past LOG_MAX_FILES) removed the files from its audit and
// deleted plain files, but not the .gz archives: they stayed on disk for ever. And a
// compression interrupted by process.exit() left a truncated .gz next to the complete
// plain file, which nothing ever cleaned up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { tempDir } from '../helpers/logs.mjs';

test('at start: an archive past LOG_MAX_FILES=30d is deleted, a recent one kept, a truncated one removed', async () => {
  const dir = tempDir();
  const day = 86_400_000;
  const entry = (name, date) => {
    const path = join(dir, name);
    return { date, name: path, hash: createHash('sha256').update(`${path}LOG_FILE${date}`).digest('hex') };
  };
  const old = entry('app-2000-01-01.log', Date.now() - 40 * day);
  const recent = entry('app-2000-01-02.log', Date.now() - 2 * day);
  const interrupted = entry('app-2000-01-03.log', Date.now() - day);
  for (const f of [old, recent]) writeFileSync(`${f.name}.gz`, gzipSync('{"message":"archived"}\n'));
  writeFileSync(interrupted.name, '{"message":"complete"}\n');
  writeFileSync(`${interrupted.name}.gz`, gzipSync('{"message":"complete"}\n').subarray(0, 12));
  writeFileSync(join(dir, '.app.log-audit.json'), JSON.stringify({ keep: { days: true, amount: 30 }, auditLog: join(dir, '.app.log-audit.json'), files: [old, recent, interrupted], hashType: 'sha256' }));

  const app = await startApp(fixture('log-app.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), LOG_FILE: join(dir, 'app.log'), LOG_MAX_FILES: '30d' },
  });
  try {
    await get(`${app.url}/hello`);
  } finally {
    await app.stop();
  }
  assert.ok(!existsSync(`${old.name}.gz`), 'the 40-day-old archive is gone');
  assert.ok(existsSync(`${recent.name}.gz`), 'the 2-day-old archive is kept');
  assert.ok(!existsSync(`${interrupted.name}.gz`), 'the truncated archive is gone');
  assert.equal(readFileSync(interrupted.name, 'utf8'), '{"message":"complete"}\n', 'its complete plain file is kept');
  const audit = JSON.parse(readFileSync(join(dir, '.app.log-audit.json'), 'utf8'));
  assert.deepEqual(audit.files.map((f) => f.name).slice(0, 1), [recent.name]);
});

