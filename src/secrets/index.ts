/**
 * Secrets out of exported telemetry: the span processor runs in front of the span
 * exporters and the log-record processor in front of the OTLP log exporter (src/sdk.ts),
 * after the database processor has made statements safe.
 */
export { RedactingSpanProcessor } from './span-processor';
export { RedactingLogRecordProcessor } from './log-processor';
