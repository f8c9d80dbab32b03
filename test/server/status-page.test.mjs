// The status page (GET / on the admin port and at the root of a prefixed
// monitoringHandler()): the document and its headers as served, the error store end to
// end through the preload, and the page rendered in headless Chromium against a real
// Express + PostgreSQL app — what it shows, that it updates, that it loads nothing from
// elsewhere, logs no console error, reads in light and dark mode, and clears stores only
// with the admin token. A screenshot is kept under test/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, fixture, freePort, get, ROOT } from '../helpers/app.mjs';
import { REAL_DATABASE_URL } from '../helpers/health.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CANARY = 'tok_live_4242canary';
const TOKEN = 'status-page-admin-token';
const ARTIFACTS = join(ROOT, 'test/artifacts');
const browserSkip = existsSync(CHROMIUM) || process.env.CI
  ? false
  : `no Chromium at ${CHROMIUM}: apt-get install chromium (with CI set this test runs and fails instead)`;

let app;
let admin;

before(async () => {
  const port = await freePort();
  app = await startApp(fixture('status-app.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      OTEL_SERVICE_NAME: 'status-demo',
      OTELKIT_ADMIN_TOKEN: TOKEN,
      DATABASE_URL: REAL_DATABASE_URL,
    },
  });
  admin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await fetch(`${admin}/api/health`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
});

after(async () => {
  await app?.stop();
});

async function traffic({ users = 5, checkout = 1 } = {}) {
  for (let i = 1; i <= users; i++) assert.equal((await get(`${app.url}/users/${i}`)).status, 200);
  assert.equal((await get(`${app.url}/reports/slow`)).status, 200);
  assert.equal((await get(`${app.url}/orders`)).status, 200);
  for (let i = 0; i < checkout; i++) assert.equal((await get(`${app.url}/checkout/77`, { 'x-request-id': `req-checkout-${i}` })).status, 500);
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

test('GET / serves one self-contained HTML page under a strict Content-Security-Policy', async () => {
  const page = await get(`${admin}/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.ok(Buffer.byteLength(page.text) <= 100 * 1024, `${Buffer.byteLength(page.text)} bytes`);
  const script = /<script>([\s\S]*?)<\/script>/.exec(page.text)[1];
  const style = /<style>([\s\S]*?)<\/style>/.exec(page.text)[1];
  const csp = Object.fromEntries(page.headers.get('content-security-policy').split(/;\s*/).map((d) => [d.split(' ')[0], d.slice(d.indexOf(' ') + 1)]));
  assert.deepEqual(csp, {
    'default-src': "'none'",
    'script-src': sha256(script),
    'style-src': sha256(style),
    'connect-src': "'self'",
    'img-src': 'data:',
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
  });
  assert.equal((page.text.match(/<script/g) ?? []).length, 1, 'one inline script, no script src');
  assert.doesNotMatch(page.text, /(?:src|href|action)\s*=\s*["']?(?:https?:)?\/\//i, 'no external asset');
  assert.doesNotMatch(page.text, /localStorage|sessionStorage|document\.cookie/, 'the admin token lives in the tab only');
  const head = await fetch(`${admin}/`, { method: 'HEAD' });
  assert.deepEqual([head.status, await head.text()], [200, '']);
  assert.equal((await fetch(`${admin}/`, { method: 'POST' })).status, 405);
});

test('the page module is loaded by the first request for it, not before', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const pageModule = require.resolve('../../dist/src/server/status-page/page.js');
  const { statusPageHandler } = require('../../dist/src/server/status-page/index.js');
  assert.equal(require.cache[pageModule], undefined);
  assert.equal(statusPageHandler().status, 200);
  assert.ok(require.cache[pageModule]);
});

for (const [framework, file] of [['Express', 'monitoring-express.js'], ['Fastify', 'monitoring-fastify.js'], ['Koa', 'monitoring-koa.js']]) {
  test(`${framework}: the page at the root of a prefixed monitoringHandler(); the application's own root stays the application's`, async () => {
    const other = await startApp(fixture(file), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    try {
      if (framework !== 'Koa') { // the Koa fixture mounts without a prefix only
        for (const path of ['/ops', '/ops/']) {
          const r = await get(`${other.url}${path}`);
          assert.equal(r.status, 200, path);
          assert.match(r.headers.get('content-security-policy'), /^default-src 'none'/);
          assert.match(r.text, /<title>otelkit status<\/title>/);
        }
      }
      const root = await get(`${other.url}/`);
      assert.equal(root.status, 404, 'mounted without a prefix, the handler leaves / to the app (which has no / route)');
      assert.doesNotMatch(root.text, /otelkit status/);
      assert.equal((await get(`${other.url}/api/health`)).status, 200, 'the endpoints are still mounted');
    } finally {
      await other.stop();
    }
  });
}

test('recent errors through the preload: the exception and the failed request, grouped, redacted, with route and ids', async () => {
  await traffic({ users: 0, checkout: 2 });
  const r = await get(`${admin}/api/performance/errors`);
  assert.equal(r.status, 200);
  assert.ok(!r.text.includes(CANARY), r.text);
  const declined = r.json.errors.find((e) => e.type === 'PaymentDeclinedError');
  assert.ok(declined, r.text);
  assert.equal(declined.count, 2);
  assert.equal(declined.route, '/checkout/:order');
  assert.equal(declined.request_id, 'req-checkout-1');
  assert.match(declined.trace_id, /^[0-9a-f]{32}$/);
  assert.equal(declined.message, 'order 77: card declined; token=[REDACTED] via postgres://billing:***@10.0.0.7/pay');
  assert.match(declined.top_frame, /status-app\.js:\d+:\d+/);
  const failed = r.json.errors.find((e) => e.type === 'HTTP 500');
  assert.deepEqual([failed.route, failed.count, failed.message], ['/checkout/:order', 2, 'Internal Server Error']);
  assert.equal((await fetch(`${admin}/api/performance/errors`, { method: 'DELETE' })).status, 401, 'admin-only');
  assert.equal((await fetch(`${admin}/api/performance/errors`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status, 204);
  assert.deepEqual((await get(`${admin}/api/performance/errors`)).json, { errors: [] });
});

/** Relative luminance contrast of two CSS rgb() colours. */
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('the page in headless Chromium shows routes, slow queries, N+1, checks and errors, updates, and loads nothing from elsewhere', { skip: browserSkip }, async () => {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'otelkit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const store of ['apm', 'slow-queries', 'n-plus-one', 'errors']) {
      const cleared = await fetch(`${admin}/api/performance/${store}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(cleared.status, 204, `earlier tests' ${store} cleared`);
    }
    await traffic({ users: 5, checkout: 1 });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    const requests = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

    await page.goto(`${admin}/`);
    const row = (table, text) => page.locator(`#${table} tbody tr`, { hasText: text });
    const cells = async (table, text) => (await row(table, text).first().locator('td').allInnerTexts()).map((t) => t.trim());
    await row('routes-table', 'GET /users/:id').waitFor();
    await row('errors-table', 'PaymentDeclinedError').waitFor();

    // What a user sees.
    assert.equal(await page.locator('#service-name').innerText(), 'status-demo');
    const facts = await page.locator('#facts').innerText();
    assert.match(facts, new RegExp(`Node\\.js\\s+v${process.versions.node.replaceAll('.', '\\.')}`));
    assert.match(facts, /Resident memory\s+[\d.]+ MiB/);
    assert.match(facts, /Version\s+0\.1\.0/);
    const users = await cells('routes-table', 'GET /users/:id');
    assert.equal(users[0], 'GET /users/:id', 'the Express route template, never the raw path');
    assert.equal(users[1], '5');
    assert.match(users[2], /^(?:[\d.]+ req\/s|—)$/, 'a rate, or none yet within a second of the statistics starting');
    assert.equal(users[3], '0 (0.00 %)');
    for (const p of users.slice(4, 7)) assert.match(p, /^[\d.]+ (ms|s)$/);
    assert.equal(await row('routes-table', '/users/1').count(), 0);
    assert.equal((await cells('routes-table', 'GET /checkout/:order'))[3], '1 (100.0 %)');
    const slow = await cells('slow-table', 'pg_sleep');
    assert.equal(slow[0], 'SELECT pg_sleep(?) AS report');
    assert.equal(slow[1], '1');
    // The p95 of one call is that call: at least the 150 ms it slept (more on a busy machine).
    assert.match(slow[3], /^\d{3,4} ms$/, `p95 of a 150 ms sleep: ${slow[3]}`);
    assert.ok(Number.parseInt(slow[3], 10) >= 150, `p95 of a 150 ms sleep: ${slow[3]}`);
    assert.match(slow[6], /^[0-9a-f-]{36}$/, 'the request id of the latest slow call');
    const nPlusOne = await cells('n-plus-one-table', '/orders');
    assert.deepEqual(nPlusOne.slice(0, 4), ['/orders', 'SELECT ? AS order_id', '1', '12']);
    const check = await cells('checks-table', 'payments_api');
    assert.deepEqual(check.slice(0, 2), ['payments_api', 'ok']);
    assert.match(check[3], /region: eu-west-1/);
    assert.equal((await cells('checks-table', 'database'))[1], 'ok');
    assert.deepEqual((await cells('breakers-table', 'payments')).slice(0, 3), ['payments', 'closed', '0']);
    const retries = await cells('retries-table', 'charge_card');
    assert.ok(retries[0] === 'charge_card' && Number(retries[1]) >= 1 && retries[2] === retries[1] && retries[3] === '0', retries.join(' '));
    const declined = await cells('errors-table', 'PaymentDeclinedError');
    assert.match(declined[0], /^PaymentDeclinedError\s+order 77: card declined; token=\[REDACTED\]/);
    assert.match(declined[1], /^\/checkout\/:order\s+.*status-app\.js:\d+:\d+/);
    assert.equal(declined[2], '1');
    assert.equal(declined[5], 'req-checkout-0');
    assert.ok(!(await page.content()).includes(CANARY));

    // More traffic: the next poll shows the new counts, and the rate history grows.
    await traffic({ users: 7, checkout: 1 });
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll('#routes-table tbody tr')].find((tr) => tr.cells[0].textContent === 'GET /users/:id');
      return r?.cells[1].textContent === '12';
    }, null, { timeout: 15_000 });
    assert.match((await cells('routes-table', 'GET /users/:id'))[2], /^[\d.]+ req\/s$/, 'the rate between two polls');
    assert.equal((await cells('errors-table', 'PaymentDeclinedError'))[2], '2');
    assert.deepEqual((await cells('n-plus-one-table', '/orders')).slice(0, 4), ['/orders', 'SELECT ? AS order_id', '2', '12'], 'two requests, one row');
    assert.equal(await row('n-plus-one-table', '/orders').count(), 1);
    assert.equal((await cells('errors-table', 'PaymentDeclinedError'))[5], 'req-checkout-0', 'the latest sample');
    await row('routes-table', 'GET /users/:id').locator('svg[role="img"] polyline').waitFor({ timeout: 15_000 });
    assert.match(await row('routes-table', 'GET /users/:id').locator('svg').getAttribute('aria-label'), /^Request rate of GET \/users\/:id over the last \d+ min, latest [\d.]+ req\/s$/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });

    const foreign = requests.filter((u) => !u.startsWith(`${admin}/`) && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'nothing from outside the admin origin');
    assert.ok(requests.some((u) => u.endsWith('/api/performance/errors?limit=50')));
    assert.deepEqual(problems, [], 'no console error, no failed request');

    // Light and dark: readable text in both.
    const colours = () => page.evaluate(() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color, getComputedStyle(document.querySelector('caption')).color]);
    const light = await colours();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await colours();
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-dark.png'), fullPage: true });
    assert.notEqual(light[0], dark[0], 'prefers-color-scheme: dark changes the page');
    for (const [bg, fg, muted] of [light, dark]) {
      assert.ok(contrast(bg, fg) >= 7, `text ${fg} on ${bg}`);
      assert.ok(contrast(bg, muted) >= 4.5, `secondary text ${muted} on ${bg}`);
    }

    // Keyboard: the controls and sections are reachable with Tab.
    await page.evaluate(() => document.activeElement?.blur());
    const reached = [];
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement.id || document.activeElement.getAttribute('href') || document.activeElement.tagName));
    }
    assert.deepEqual(reached.slice(0, 3), ['#main', 'pause', 'token'], reached.join(' '));
    assert.ok(reached.includes('#errors') && reached.includes('#health'), reached.join(' '));

    // Hidden: no polling. (Headless Chromium keeps every tab visible, so the page is told
    // it is hidden the way a browser tells it: document.hidden and a visibilitychange.)
    const polls = () => requests.filter((u) => u.endsWith('/api/health/detailed')).length;
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    const hiddenAt = polls();
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(polls(), hiddenAt, 'no request while hidden, for longer than the poll interval');
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForFunction((n) => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/health/detailed')).length > n, hiddenAt, { timeout: 2000 });

    // Clearing needs the token, which stays in the tab.
    await page.locator('button[data-clear="api/performance/errors"]').click();
    await page.locator('#poll-status', { hasText: 'Could not clear recent errors (HTTP 401)' }).waitFor();
    await page.locator('#token').fill(TOKEN);
    await page.locator('button[data-clear="api/performance/errors"]').click();
    await page.locator('#poll-status', { hasText: 'Cleared recent errors.' }).waitFor();
    await row('errors-table', 'No errors recorded.').waitFor();
    assert.deepEqual((await get(`${admin}/api/performance/errors`)).json, { errors: [] });
    assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie, location.href]), [0, 0, '', `${admin}/`]);
    assert.deepEqual(problems.filter((p) => !p.includes('401')), [], 'only the refused DELETE');
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
