// In-process tracing for unit tests: a real SDK tracer provider with the processors under
// test, spans with exact durations, a diag logger that keeps what it is told, and a
// forced garbage collection for memory measurements.
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A provider whose spans go through `processors`, then into an in-memory exporter. */
export function tracing(processors, { exporter: withExporter = true } = {}) {
  const exporter = new InMemorySpanExporter();
  const tail = withExporter ? [new SimpleSpanProcessor({ exporter })] : [];
  const provider = new TracerProvider({ spanProcessors: [...processors, ...tail] });
  return { provider, exporter, tracer: provider.getTracer('test') };
}

const T0 = 1_700_000_000;
/** Starts and ends a span that lasted exactly `ms` milliseconds. */
export function timedSpan(tracer, name, ms, { kind = 0, attributes, error = false } = {}) {
  const span = tracer.startSpan(name, { kind, attributes, startTime: [T0, 0] });
  if (error) span.setStatus({ code: 2, message: 'failed' });
  const ns = Math.round(ms * 1e6);
  span.end([T0 + Math.floor(ns / 1e9), ns % 1e9]);
  return span;
}

/** Collects otelkit's and the SDK's diag lines (warn and error). */
export function captureDiag() {
  const lines = [];
  const keep = (level) => (...args) => lines.push(`${level} ${args.map(String).join(' ')}`);
  diag.setLogger({ error: keep('error'), warn: keep('warn'), info() {}, debug() {}, verbose() {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return lines;
}

setFlagsFromString('--expose-gc');
const gcFn = runInNewContext('gc');
export function heapAfterGc() {
  gcFn();
  gcFn();
  return process.memoryUsage();
}

/** A deterministic pseudo-random generator (mulberry32). */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A parsed admin request for calling route handlers without a socket (as on the admin port unless `trustLoopback` is false). */
export function request(method, path, { query = '', headers = {}, remoteAddress = '127.0.0.1', trustLoopback = true } = {}) {
  return { method, path, query: new URLSearchParams(query), headers, remoteAddress, trustLoopback, params: {} };
}
