// Regression: in pretty mode (the default outside production) a message containing a
// newline, a carriage return or ANSI escapes was written as it was, so text from a request
// could forge a complete second log line (or rewrite the previous one on a terminal).
// Control characters are now escaped in pretty mode as JSON mode escapes them; an error's
// stack frames stay on their own lines, indented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const RECORD = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|warn|info|http|debug)\s+\[/;

test('pretty log lines: a message cannot start a line of its own or carry terminal escapes', async () => {
  const app = await startApp(fixture('sinks-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
  try {
    assert.equal((await get(`${app.url}/forge`)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const out = app.stdout();
    const lines = out.split('\n');
    const forged = lines.filter((l) => /^\S+ info {2}\[sinks-app\] FORGED/.test(l));
    assert.deepEqual(forged, [], 'no line passes for a record of its own');
    assert.ok(!/[\x1b\r\u2028]/.test(out), JSON.stringify(out.slice(0, 400)));
    const records = lines.filter((l) => RECORD.test(l) && l.includes('[otelkit:sinks-app]'));
    assert.equal(records.length, 5, records.join('\n'));
    assert.match(records[0], /\] user said hi\\n\d{4}-[^ ]+ info {2}\[sinks-app\] FORGED admin logged in \{/);
    assert.match(records[1], /\] progress\\r.+FORGED admin logged in\\u2028.+FORGED admin logged in \{/);
    assert.match(records[2], /\] colour \\u001b\[31mred\\u001b\[0m and \\u001b\[2K\\u001b\[1Aoverwrite \{/);
    assert.match(records[4], /"note":"x\\n.+FORGED admin logged in"/);
    // The error: one record line, its stack's first line with the newline escaped, frames indented.
    const at = lines.indexOf(records[3]);
    assert.match(records[3], /\] failed bad input\\n.+FORGED admin logged in \{/);
    assert.match(lines[at + 1], /^Error: bad input\\n.+FORGED admin logged in$/);
    assert.match(lines[at + 2], /^\s+at /);
  } finally {
    await app.stop();
  }
});
