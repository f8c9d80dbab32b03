/**
 * Whether exporting at shutdown can deliver anything. A collector that refuses connections
 * (nothing listens on its port, its host does not resolve or cannot be routed to) will take
 * nothing, and the OTLP exporters would retry it with back-off for up to ten seconds: when
 * shutdown starts, one short connect to each configured endpoint tells, and if none
 * accepts, the exporters are closed (their pending and further exports end at once as
 * failed) so the process exits as fast as the bare application would.
 * A collector that accepts but is slow keeps the OTELKIT_SHUTDOWN_TIMEOUT_MS bound.
 */
import { connect } from 'node:net';
import { context } from '@opentelemetry/api';
import { suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

const PROBE_MS = 300;
const GONE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** ExportResultCode.FAILED, without loading @opentelemetry/core for one constant. */
const FAILED: ExportResult = { code: 1, error: new Error('otelkit: the collector refuses connections; telemetry dropped at shutdown') };

export interface Delivery {
  /** Closes the exporters when no endpoint accepts a connection; resolves true then. */
  closeIfUnreachable(): Promise<boolean>;
  spans(exporter: SpanExporter): SpanExporter;
  metrics(exporter: PushMetricExporter): PushMetricExporter;
  logs(exporter: LogRecordExporter): LogRecordExporter;
}

type Endpoint = { host: string; port: number };

export function createDelivery(urls: readonly string[]): Delivery {
  const endpoints = distinct(urls);
  let closed = false;
  let probed: Promise<boolean> | undefined;
  const gate = (send: (done: (r: ExportResult) => void) => void, done: (r: ExportResult) => void) => {
    if (closed) done(FAILED);
    else send(done);
  };
  return {
    closeIfUnreachable() {
      probed ??= endpoints.length === 0
        ? Promise.resolve(false)
        : Promise.all(endpoints.map(refuses)).then((all) => (closed = all.every(Boolean)));
      return probed;
    },
    spans: (exporter) => ({
      export: (spans: ReadableSpan[], done) => gate((d) => exporter.export(spans, d), done),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => (closed ? Promise.resolve() : exporter.forceFlush?.() ?? Promise.resolve()),
    }),
    metrics: (exporter) => ({
      export: (metrics: ResourceMetrics, done) => gate((d) => exporter.export(metrics, d), done),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => (closed ? Promise.resolve() : exporter.forceFlush()),
      selectAggregationTemporality: exporter.selectAggregationTemporality?.bind(exporter),
      selectAggregation: exporter.selectAggregation?.bind(exporter),
    }),
    logs: (exporter) => ({
      export: (records: ReadableLogRecord[], done) => gate((d) => exporter.export(records, d), done),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => (closed ? Promise.resolve() : exporter.forceFlush?.() ?? Promise.resolve()),
    }),
  };
}

function distinct(urls: readonly string[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const raw of urls) {
    try {
      const url = new URL(raw);
      const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      seen.set(`${host}:${port}`, { host, port });
    } catch {
      // not a URL: config reported it at start and nothing exports to it
    }
  }
  return [...seen.values()];
}

/** True when a connection to the endpoint is refused (or cannot be attempted) within PROBE_MS. */
function refuses({ host, port }: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    // otelkit's own connection: no span of the app's.
    const socket = context.with(suppressTracing(context.active()), () => connect({ host, port }));
    const finish = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(false), PROBE_MS);
    timer.unref();
    socket.unref();
    socket.once('connect', () => finish(false));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(GONE.has(err.code ?? '')));
  });
}
