// Cost per span of otelkit's span processors (statement sanitising + slow queries + N+1,
// then APM statistics), measured on real SDK spans: `node bench/apm-processor.mjs`
// (after `npm run build`). Prints the median of RUNS runs, in ns per span, by span type.
// The machine is shared: read the medians, not single runs.
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { loadConfig } from '../dist/src/config.js';
import { createDbFeature } from '../dist/src/db/index.js';
import { createApmFeature } from '../dist/src/apm/index.js';

const RUNS = Number(process.env.RUNS ?? 15);
const PER_TYPE = 20_000;

const config = loadConfig({});
const db = createDbFeature(config);
const apm = createApmFeature(config);
const processors = [db.processor, apm.processor];
const tracer = new TracerProvider().getTracer('bench');

const routes = Array.from({ length: 20 }, (_, i) => `GET /resource${i}/:id`);
const shapes = Array.from({ length: 50 }, (_, i) => `SELECT id, name, email FROM table_${i} WHERE id = $1 AND status = 'active' ORDER BY created_at DESC LIMIT 10`);

function make(type, i) {
  let span;
  if (type === 'server') span = tracer.startSpan(routes[i % routes.length], { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/x' } });
  else if (type === 'db') {
    span = tracer.startSpan('pg.query:SELECT test', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'server.address': '127.0.0.1', 'server.port': 5432 },
    });
    span.setAttribute('db.query.text', shapes[i % shapes.length]);
  } else span = tracer.startSpan(`custom_op_${i % 30}`, { kind: SpanKind.INTERNAL });
  span.end();
  return span;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(spans, fn) {
  const results = [];
  for (let r = 0; r < RUNS + 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < spans.length; i++) fn(spans[i]);
    const ns = Number(process.hrtime.bigint() - t0) / spans.length;
    if (r >= 3) results.push(ns); // the first runs warm up the JIT and the memo
  }
  return median(results);
}

const onEnd = (s) => {
  processors[0].onEnd(s);
  processors[1].onEnd(s);
};
const onStart = (s) => {
  processors[0].onStart(s, ROOT_CONTEXT);
  processors[1].onStart(s, ROOT_CONTEXT);
};

const rows = [];
for (const type of ['server', 'db', 'internal']) {
  const spans = Array.from({ length: PER_TYPE }, (_, i) => make(type, i));
  rows.push({ span: type, 'onStart ns': measure(spans, onStart).toFixed(0), 'onEnd ns': measure(spans, onEnd).toFixed(0), 'apm only ns': measure(spans, (s) => processors[1].onEnd(s)).toFixed(0) });
}
const mixed = Array.from({ length: PER_TYPE * 3 }, (_, i) => make(['server', 'db', 'internal', 'db'][i % 4], i));
rows.push({ span: 'mixed (1 server : 2 db : 1 internal)', 'onStart ns': measure(mixed, onStart).toFixed(0), 'onEnd ns': measure(mixed, onEnd).toFixed(0), 'apm only ns': measure(mixed, (s) => processors[1].onEnd(s)).toFixed(0) });
console.log(`otelkit span processors, median of ${RUNS} runs over ${PER_TYPE} spans each (node ${process.version})`);
console.table(rows);
