// Callbacks the app hands otelkit that misbehave — health checks that throw, reject,
// hang, answer nonsense or megabytes; a circuit breaker whose state cannot be read;
// trace()/traceBlock()/trackQueryTime() around functions that throw; a span that makes
// otelkit's own processors fail; a diag logger of the app's that throws — cost the app
// nothing: every request answered as without them, errors rethrown unchanged, one
// warning per cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const REQUESTS = 200;

for (const throwingDiag of [false, true]) {
  test(`misbehaving hooks${throwingDiag ? ', with a diag logger of the app that throws' : ''}: app unaffected, one warning each`, async () => {
    const promPort = await freePort();
    const app = await startApp(fixture('hooks-app.js'), {
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_HEALTH_TIMEOUT_MS: '500', ...(throwingDiag ? { THROWING_DIAG: '1' } : {}) },
    });
    const admin = `http://127.0.0.1:${promPort}`;
    try {
      // The app's work and otelkit's endpoints at the same time.
      const appCalls = Array.from({ length: REQUESTS }, () => get(`${app.url}/work`));
      const adminCalls = [];
      for (let i = 0; i < 20; i++) {
        for (const path of ['/api/health/detailed', '/api/health/resilience', '/api/health/throws', '/metrics']) {
          adminCalls.push(get(`${admin}${path}`).then((r) => ({ path, status: r.status, json: r.json })));
        }
      }
      const answers = await Promise.all(appCalls);
      const admins = await Promise.all(adminCalls);
      assert.deepEqual([...new Set(answers.map((r) => `${r.status} ${r.text}`))], ['200 ok']);
      const induced = Number((await get(`${app.url}/errors`)).text);
      assert.equal(induced, 0, app.stdout().split('\n').filter((l) => l.startsWith('UNEXPECTED')).join('\n'));

      const detailed = admins.filter((a) => a.path === '/api/health/detailed');
      const checks = detailed[0].json.checks;
      assert.deepEqual(
        Object.fromEntries(['throws', 'rejects', 'hangs', 'nonsense', 'huge', 'cyclic', 'good'].map((n) => [n, checks[n].status])),
        { throws: 'down', rejects: 'down', hangs: 'down', nonsense: 'down', huge: 'ok', cyclic: 'ok', good: 'ok' },
      );
      assert.equal(checks.hangs.error, 'timed out after 500 ms');
      assert.ok(detailed.every((a) => a.status === 200), 'custom checks are not critical: 200');
      const resilience = admins.filter((a) => a.path === '/api/health/resilience');
      assert.ok(resilience.every((a) => a.status === 200));
      assert.deepEqual(resilience[0].json.circuit_breakers.map((b) => `${b.name} ${b.state}`).sort(), ['broken unknown', 'good closed']);
      assert.ok(admins.filter((a) => a.path === '/metrics').every((a) => a.status === 200));

      const apm = (await get(`${admin}/api/performance/apm/stats`)).json.operations;
      const op = (name) => apm.find((o) => o.operation === name);
      for (const name of ['failing_op', 'failing_async_op', 'block_op', 'legacy_query']) {
        assert.deepEqual({ count: op(name).count, errors: op(name).error_count }, { count: REQUESTS, errors: REQUESTS }, name);
      }
      assert.equal(op('SELECT poisoned')?.count, REQUESTS, 'spans failing in one processor still reach the next');

      // otelkit's own messages are log lines (app.output()); the app's diag logger, when it
      // installs one, takes them instead.
      const output = app.output();
      const lines = output.split('\n').filter((l) => /otelkit:(db|health|guard)|circuit breaker|health check/.test(l));
      if (throwingDiag) {
        assert.equal(app.stderr(), '', 'the app took over diagnostics: nothing of otelkit on stderr');
        assert.deepEqual(lines, [], 'nor in the log');
      } else {
        for (const cause of [/otelkit:db onEnd(ing)? failed/, /circuit breaker broken state failed/, /health check throws is down/, /health check hangs is down/]) {
          assert.equal(lines.filter((l) => cause.test(l)).length, 1, `${cause}: ${output}`);
        }
        assert.ok(lines.length <= 8, lines.join('\n'));
      }
      // Alone, once the cached result has expired: the hanging check costs its timeout.
      await new Promise((r) => setTimeout(r, 1100));
      const t = performance.now();
      assert.equal((await get(`${admin}/api/health/detailed`)).status, 200);
      const aloneMs = performance.now() - t;
      console.log(`# hooks${throwingDiag ? ' (throwing diag logger)' : ''}: ${REQUESTS} app requests with ${admins.length} health/metrics calls at the same time, `
        + `app errors induced ${induced}; otelkit warnings ${throwingDiag ? 0 : lines.length} (one per cause); detailed health with a hanging check answered in ${aloneMs.toFixed(0)} ms (timeout 500 ms)`);
      assert.ok(aloneMs < 3000, `${aloneMs} ms`);
    } finally {
      await app.stop();
    }
  });
}
