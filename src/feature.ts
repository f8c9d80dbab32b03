/**
 * How a concern (logging, APM, slow queries, health, metrics JSON) plugs into otelkit.
 * A feature is created from Config before the SDK starts (its span processors must be
 * handed to NodeSDK), then bound to the running SDK (its meter, tracer) once started.
 */
import type { IncomingMessage } from 'node:http';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Meter, Tracer } from '@opentelemetry/api';
import type { Config } from './config';
import type { AppInfo } from './app-info';
import type { ResponseInfo } from './requests/http-server';
import type { RouteTable } from './server/router';
import type { PrometheusReader } from './metrics/prometheus';

export interface Running {
  readonly config: Config;
  readonly app: AppInfo;
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly prometheus: PrometheusReader;
  /** OTLP log export is on. */
  readonly sendsLogs: boolean;
  readonly service: string;
  readonly startedAt: number;
  readonly isDraining: () => boolean;
}

export interface Feature {
  /** Run on every finished span, before any exporter, in feature order. */
  readonly spanProcessors?: readonly SpanProcessor[];
  /** Called once per finished HTTP server response (guarded). */
  readonly onResponse?: (info: ResponseInfo, req: IncomingMessage) => void;
  /** Called once the SDK runs: register instruments, start samplers. Returns routes. */
  bind?(running: Running): RouteTable | void;
  /** Flush and stop (bounded by the shutdown timeout by the caller). */
  shutdown?(): Promise<void>;
}
