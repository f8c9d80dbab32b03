// X-Request-ID fuzz on raw sockets against an app that writes to every sink otelkit has.
// An unsafe id is replaced by a UUID and none of its bytes reaches stdout, stderr,
// LOG_FILE, the exported spans and logs, slow-query records, the Prometheus text or the
// admin JSON. Node's own parser refuses some values (control characters: 400; over
// 16 KB: 431) before any code runs; with --insecure-http-parser more of them get through
// to otelkit, so both parsers are tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { allLogText, jsonLines, tempDir, UUID } from '../helpers/logs.mjs';
import { sleep } from '../helpers/load.mjs';

const NONCE = `zq${randomBytes(3).toString('hex')}`;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** name → raw bytes of the header value (latin1 string or Buffer). Each carries NONCE except where it cannot. */
const m = (s) => `${NONCE}${s}`;
const CASES = {
  'bare CR': m('a\rb'),
  'bare LF': m('a\nb'),
  'obs-fold continuation': m('a\r\n b'),
  NUL: m('a\u0000b'),
  'ANSI colour escape': `\u001b[31m${m('red')}\u001b[0m`,
  'ANSI cursor movement': `${m('x')}\u001b[2J\u001b[H`,
  BEL: m('\u0007'),
  DEL: m('\u007f'),
  'vertical tab': m('a\u000bb'),
  tab: m('a\tb'),
  'U+2028 (UTF-8 bytes)': Buffer.from(m('a\u2028b'), 'utf8'),
  'U+0085 NEL (UTF-8 bytes)': Buffer.from(m('a\u0085b'), 'utf8'),
  'C1 byte 0x85': m('a\u0085b'),
  'latin1 é': m('caf\u00e9'),
  'UTF-8 emoji': Buffer.from(m('\u{1F600}'), 'utf8'),
  'double quotes': m('"x"'),
  'JSON break-out': m('","level":"error","message":"forged'),
  'single quote SQL': m("' OR 1=1 --"),
  backslash: m('a\\b'),
  '<script>': m('<script>alert(1)</script>'),
  '${jndi:…}': m('${jndi:ldap://x/a}'),
  'percent-encoded CRLF': m('%0d%0a'),
  space: m('a b'),
  comma: m('a,b'),
  '201 characters': m('a'.repeat(201 - NONCE.length)),
  '8 KB': m('b'.repeat(8 * 1024)),
  '16 KB': m('c'.repeat(16 * 1024)),
  empty: '',
  'spaces only': '   ',
  'repeated header': [m('one'), m('two')],
};
/** Safe values: kept as they are. */
const SAFE = {
  '200 characters': 'k'.repeat(200),
  'every allowed character': 'Az09-_.:/+=@',
  'CRLF then another header (the id before it is whole and safe)': 'inj-ok\r\nX-Injected: 1',
};

function rawRequest(port, value, path = '/work') {
  const values = Array.isArray(value) ? value : [value];
  const lines = values.map((v) => Buffer.concat([Buffer.from('X-Request-ID: '), Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1'), Buffer.from('\r\n')]));
  const bytes = Buffer.concat([Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\n`), ...lines, Buffer.from('Connection: close\r\n\r\n')]);
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('latin1');
      const status = Number(text.split(' ')[1]);
      const id = /\r\nx-request-id: ([^\r\n]*)/i.exec(text)?.[1];
      resolve({ status, id, raw });
    });
    socket.write(bytes);
  });
}

/** Every string inside a JSON value. */
function* strings(value) {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) {
    yield k;
    yield* strings(v);
  }
}

const ADMIN_JSON = ['/api/metrics', '/api/health', '/api/health/detailed', '/api/health/resilience', '/api/performance/apm/stats',
  '/api/performance/slow-queries?limit=1000', '/api/performance/slow-queries/stats', '/api/performance/n-plus-one', '/api/performance/errors'];

test('X-Request-ID fuzz: unsafe ids replaced; no raw byte or control character in any sink', async () => {
  const receiver = await startReceiver({ keepRaw: true });
  const dir = tempDir();
  const start = async (name, nodeOptions) => {
    const promPort = await freePort();
    const app = await startApp(fixture('sinks-app.js'), {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
        ENABLE_JSON_LOGS: 'true',
        LOG_LEVEL: 'http',
        LOG_FILE: join(dir, `${name}.log`),
        OTELKIT_SLOW_QUERY_MS: '0',
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
    });
    return { app, admin: `http://127.0.0.1:${promPort}` };
  };
  const runs = [await start('strict'), await start('lenient', '--insecure-http-parser --max-http-header-size=65536')];
  const outcomes = [];
  try {
    for (const [i, run] of runs.entries()) {
      for (const [name, value] of Object.entries(CASES)) {
        const res = await rawRequest(run.app.port, value);
        outcomes.push({ parser: i ? 'lenient' : 'strict', name, ...res });
        assert.ok(!res.raw.includes(NONCE), `${name}: echoed in the response`);
        if (res.status === 200) assert.match(res.id, UUID, `${name}: replaced`);
        else assert.ok([400, 431].includes(res.status), `${name}: ${res.status}`);
      }
      for (const [name, value] of Object.entries(SAFE)) {
        const res = await rawRequest(run.app.port, value);
        assert.equal(res.status, 200, name);
        assert.equal(res.id, value.split('\r\n')[0], `${name}: kept`);
      }
    }
    // Every sink has had its say: access lines, slow queries, spans, then scrape them all.
    const replaced = outcomes.filter((o) => o.status === 200);
    const last = replaced.at(-1).id;
    await receiver.waitFor((s) => s.spans.some((x) => x.attributes['request.id'] === last));
    await sleep(1200);
    const sinks = {};
    for (const [i, run] of runs.entries()) {
      sinks[`stdout#${i}`] = run.app.stdout();
      sinks[`stderr#${i}`] = run.app.stderr();
      sinks[`prometheus#${i}`] = (await get(`${run.admin}/metrics`)).text;
      for (const path of ADMIN_JSON) sinks[`${path}#${i}`] = (await get(`${run.admin}${path}`)).text;
    }
    sinks.log_file = allLogText(dir);

    // The replacement ids really went everywhere (so the scan below scans something).
    const lines = jsonLines(Object.entries(sinks).filter(([k]) => k.startsWith('stdout')).map(([, v]) => v).join('\n'));
    const slow = JSON.parse(sinks[`/api/performance/slow-queries?limit=1000#1`]).queries;
    for (const o of replaced.filter((x) => x.parser === 'lenient')) {
      assert.ok(lines.some((l) => l.component === 'http' && l.request_id === o.id), `${o.name}: access line`);
      assert.ok(slow.some((q) => q.request_id === o.id), `${o.name}: slow-query record`);
      assert.ok(receiver.spans.some((s) => s.attributes['request.id'] === o.id), `${o.name}: span`);
    }

    let rawFound = 0;
    let controlFound = 0;
    const where = [];
    for (const [name, text] of Object.entries(sinks)) {
      if (text.includes(NONCE)) {
        rawFound++;
        where.push(`${name}: ${text.split('\n').find((l) => l.includes(NONCE)).slice(0, 300)}`);
      }
      const parsed = name.startsWith('/api') ? [JSON.parse(text)] : jsonLines(text);
      const bad = [text, ...parsed.flatMap((p) => [...strings(p)])].filter((s) => CONTROL.test(s.replace(/\r?\n/g, '')));
      if (bad.length) {
        controlFound++;
        where.push(`${name} control character: ${JSON.stringify(bad[0].slice(0, 200))}`);
      }
    }
    const otlp = [...receiver.spans, ...receiver.logs, ...receiver.metrics];
    const otlpStrings = otlp.flatMap((x) => [...strings(x)]);
    if (otlpStrings.some((s) => s.includes(NONCE))) rawFound++, where.push(`otlp: ${otlpStrings.find((s) => s.includes(NONCE))}`);
    if (otlpStrings.some((s) => CONTROL.test(s))) controlFound++, where.push(`otlp control: ${JSON.stringify(otlpStrings.find((s) => CONTROL.test(s)))}`);
    if (receiver.raw.some((b) => b.includes(NONCE))) rawFound++, where.push('otlp raw protobuf holds the nonce');

    const byStatus = {};
    for (const o of outcomes) byStatus[`${o.parser} ${o.status}`] = (byStatus[`${o.parser} ${o.status}`] ?? 0) + 1;
    const tried = Object.keys(CASES).length + Object.keys(SAFE).length;
    console.log(`# request-id fuzz: ${tried} cases (${Object.keys(CASES).length} unsafe, ${Object.keys(SAFE).length} safe) × 2 parsers; `
      + `Node answered ${JSON.stringify(byStatus)}; unsafe ids replaced ${replaced.length}/${replaced.length}; `
      + `sinks scanned ${Object.keys(sinks).length + 2}; raw bytes found ${rawFound}; control characters found ${controlFound}`);
    const refused = outcomes.filter((o) => o.parser === 'strict' && o.status !== 200).map((o) => `${o.name} ${o.status}`);
    console.log(`# request-id fuzz: refused by Node's strict parser before any code runs: ${refused.join(', ')}`);
    assert.deepEqual(where, []);
    assert.equal(rawFound, 0);
    assert.equal(controlFound, 0);
  } finally {
    for (const run of runs) await run.app.stop();
    await receiver.close();
  }
});
