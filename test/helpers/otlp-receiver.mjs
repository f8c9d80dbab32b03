// A real OTLP/HTTP receiver for tests: accepts /v1/traces, /v1/metrics and /v1/logs in
// protobuf or JSON (optionally gzipped), decodes them and keeps a normalised copy.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = protobuf.loadSync(fileURLToPath(new URL('./otlp.proto', import.meta.url)));
const TYPES = {
  '/v1/traces': root.lookupType('otlp.ExportTraceServiceRequest'),
  '/v1/metrics': root.lookupType('otlp.ExportMetricsServiceRequest'),
  '/v1/logs': root.lookupType('otlp.ExportLogsServiceRequest'),
};
const TO_OBJECT = { longs: Number, bytes: String, defaults: false, oneofs: false };

const hex = (v) => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return /^[0-9a-f]+$/i.test(v) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
  return Buffer.from(v).toString('hex');
};

function anyValue(v) {
  if (!v) return undefined;
  const key = Object.keys(v).find((k) => v[k] !== undefined);
  const value = v[key];
  switch (key) {
    case 'stringValue': case 'string_value': return value;
    case 'boolValue': case 'bool_value': return value;
    case 'intValue': case 'int_value': return Number(value);
    case 'doubleValue': case 'double_value': return Number(value);
    case 'arrayValue': case 'array_value': return (value.values ?? []).map(anyValue);
    case 'kvlistValue': case 'kvlist_value': return attrs(value.values);
    case 'bytesValue': case 'bytes_value': return value;
    default: return undefined;
  }
}

function attrs(list) {
  const out = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function normalizeSpans(req) {
  const spans = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: Number(s.kind ?? 0),
          traceState: s.traceState || undefined,
          attributes: attrs(s.attributes),
          droppedAttributesCount: Number(s.droppedAttributesCount ?? 0),
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attrs(e.attributes), timeNs: Number(e.timeUnixNano ?? 0) })),
          droppedEventsCount: Number(s.droppedEventsCount ?? 0),
          links: (s.links ?? []).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId), attributes: attrs(l.attributes) })),
          status: { code: Number(s.status?.code ?? 0), message: s.status?.message },
          startNs: Number(s.startTimeUnixNano ?? 0),
          endNs: Number(s.endTimeUnixNano ?? 0),
          scope: ss.scope?.name,
          resource,
        });
      }
    }
  }
  return spans;
}

function normalizeMetrics(req) {
  const out = [];
  for (const rm of req.resourceMetrics ?? []) {
    const resource = attrs(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const data = m.histogram ?? m.sum ?? m.gauge ?? {};
        const points = (data.dataPoints ?? []).map((p) => ({
          attributes: attrs(p.attributes),
          value: p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : undefined,
          count: p.count !== undefined ? Number(p.count) : undefined,
          sum: p.sum !== undefined ? Number(p.sum) : undefined,
          min: p.min !== undefined ? Number(p.min) : undefined,
          max: p.max !== undefined ? Number(p.max) : undefined,
          bounds: p.explicitBounds?.map(Number),
          buckets: p.bucketCounts?.map(Number),
        }));
        const temporality = { 1: 'delta', 2: 'cumulative' }[Number(data.aggregationTemporality ?? 0)];
        out.push({ name: m.name, unit: m.unit, description: m.description, type: m.histogram ? 'histogram' : m.sum ? 'sum' : 'gauge', monotonic: m.sum ? Boolean(m.sum.isMonotonic) : undefined, temporality, points, scope: sm.scope?.name, resource });
      }
    }
  }
  return out;
}

function normalizeLogs(req) {
  const out = [];
  for (const rl of req.resourceLogs ?? []) {
    const resource = attrs(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const l of sl.logRecords ?? []) {
        out.push({
          body: anyValue(l.body),
          severityText: l.severityText,
          severityNumber: Number(l.severityNumber ?? 0),
          attributes: attrs(l.attributes),
          traceId: hex(l.traceId),
          spanId: hex(l.spanId),
          scope: sl.scope?.name,
          resource,
        });
      }
    }
  }
  return out;
}

/**
 * @param {{ status?: number | ((path: string) => number), delayMs?: number, port?: number, keepRaw?: boolean }} options
 */
export async function startReceiver(options = {}) {
  const state = { spans: [], metrics: [], logs: [], requests: [], raw: [] };
  const waiters = new Set();
  const notify = () => {
    for (const w of waiters) w();
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const status = typeof options.status === 'function' ? options.status(req.url) : options.status ?? 200;
      const contentType = String(req.headers['content-type'] ?? '');
      state.requests.push({ path: req.url, contentType, status });
      if (status === 200) {
        try {
          let body = Buffer.concat(chunks);
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          if (options.keepRaw) state.raw.push(body);
          const type = TYPES[req.url];
          if (!type) throw new Error(`unexpected path ${req.url}`);
          const decoded = contentType.includes('json')
            ? JSON.parse(body.toString('utf8'))
            : type.toObject(type.decode(body), TO_OBJECT);
          if (req.url === '/v1/traces') state.spans.push(...normalizeSpans(decoded));
          if (req.url === '/v1/metrics') state.metrics.push(...normalizeMetrics(decoded));
          if (req.url === '/v1/logs') state.logs.push(...normalizeLogs(decoded));
        } catch (err) {
          state.requests.at(-1).error = err.message;
        }
      }
      const reply = () => {
        res.writeHead(status, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
        res.end(contentType.includes('json') ? '{}' : '');
        notify();
      };
      if (options.delayMs) setTimeout(reply, options.delayMs);
      else reply();
    });
  });
  await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    get spans() { return state.spans; },
    get metrics() { return state.metrics; },
    get logs() { return state.logs; },
    get requests() { return state.requests; },
    /** Decoded-from-gzip request bodies as received (with `keepRaw`), for byte-level scans. */
    get raw() { return state.raw; },
    url: `http://127.0.0.1:${port}`,
    port,
    /** Resolves when predicate(state) is truthy; rejects after timeoutMs. */
    waitFor(predicate, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const value = predicate(state);
          if (value) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(value);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`OTLP receiver: condition not met in ${timeoutMs} ms (${state.spans.length} spans, ${state.metrics.length} metrics, ${state.logs.length} logs, ${state.requests.length} requests)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
