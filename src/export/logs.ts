/**
 * OTLP log export: a LoggerProvider with secret masking in front of a batch exporter,
 * registered as the global logger provider of the OpenTelemetry API (1.10 carries the logs
 * API), and of the older @opentelemetry/api-logs package when the app pins a winston
 * transport (0.34 and before) that still emits through it.
 */
import { createRequire } from 'node:module';
import { logs } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { Config } from '../config';
import { RedactingLogRecordProcessor } from '../secrets';
import { createLogExporter, otlpTarget } from './otlp';
import { winstonTransportPath } from '../instrumentations';
import type { Delivery } from './delivery';

export interface LogExport {
  readonly provider: LoggerProvider;
}

export function startLogExport(config: Config, resource: Resource, delivery: Delivery): LogExport | undefined {
  const target = otlpTarget(config, 'logs');
  if (target === undefined) return undefined;
  // Loaded only with OTLP log export on.
  const { BatchLogRecordProcessor, LoggerProvider } = require('@opentelemetry/sdk-logs') as typeof import('@opentelemetry/sdk-logs');
  const provider = new LoggerProvider({
    resource,
    processors: [new RedactingLogRecordProcessor(), new BatchLogRecordProcessor({ exporter: delivery.logs(createLogExporter(target, config)) })],
  });
  logs.setGlobalLoggerProvider(provider);
  registerWithApiLogs(provider);
  return { provider };
}

/**
 * The api-logs copy of the winston transport that the winston instrumentation adds to the
 * app's loggers, if that transport is one of the older ones that emit through it.
 */
function registerWithApiLogs(provider: LoggerProvider): void {
  try {
    const fromTransport = createRequire(winstonTransportPath());
    const apiLogs = fromTransport('@opentelemetry/api-logs') as { logs: { setGlobalLoggerProvider(p: unknown): unknown } };
    apiLogs.logs.setGlobalLoggerProvider(provider);
  } catch {
    // the transport emits through @opentelemetry/api (0.35 and later): nothing to bridge
  }
}
