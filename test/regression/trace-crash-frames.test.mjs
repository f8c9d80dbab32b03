// A crash inside trace() prints what the bare app prints plus ordinary frames of otelkit's
// own files: no minified line, no path outside this package and the app, and with
// --enable-source-maps the frames name otelkit's TypeScript sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { runApp, fixture, ROOT } from '../helpers/app.mjs';

const MODULES = realpathSync(`${ROOT}node_modules`);

const frames = (stderr) => stderr.split('\n').filter((l) => /^\s+at /.test(l));

test('an uncaught error thrown through trace(): the bare message and frames, plus readable ones of otelkit', async () => {
  const bare = await runApp(fixture('trace-crash.js'), { preload: null, env: { TRACE_CRASH_BARE: '1' } });
  const traced = await runApp(fixture('trace-crash.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
  assert.equal(traced.code, bare.code, 'the same exit code');
  assert.match(traced.stderr, /Error: boom from the app/);
  const appFrame = frames(bare.stderr).find((l) => l.includes('trace-crash.js'));
  assert.ok(frames(traced.stderr).some((l) => l.includes(appFrame.trim().split(' (')[0].slice(3))), `the app's frame ${appFrame} is there:\n${traced.stderr}`);
  for (const line of traced.stderr.split('\n')) assert.ok(line.length < 400, `a line of ${line.length} characters`);
  assert.ok(traced.stderr.length < bare.stderr.length + 2000, `${traced.stderr.length} bytes against ${bare.stderr.length}`);
  for (const frame of frames(traced.stderr)) {
    assert.ok(/\((node:|\/)/.test(frame) || /at (node:|\/)/.test(frame) || /\(<anonymous>\)|native/.test(frame), frame);
    const file = /\((\/[^:]+):\d+:\d+\)$/.exec(frame)?.[1] ?? /at (\/[^:]+):\d+:\d+$/.exec(frame)?.[1];
    if (file) assert.ok(file.startsWith(ROOT) || file.startsWith(MODULES), `${file} is in the package, its dependencies or the app`);
  }
});

test('with --enable-source-maps the frames of otelkit name its TypeScript sources', async () => {
  const traced = await runApp(fixture('trace-crash.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', NODE_OPTIONS: '--enable-source-maps' } });
  assert.match(traced.stderr, /Error: boom from the app/);
  assert.ok(frames(traced.stderr).some((l) => /src\/apm\/trace\.ts:\d+:\d+/.test(l)), traced.stderr);
});
