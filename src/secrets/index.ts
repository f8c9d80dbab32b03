/**
 * Secrets as a Feature: its span processor masks credentials in finished spans before any
 * exporter sees them (the log-record processor is installed with the OTLP log exporter,
 * src/sdk.ts). It comes after the database processor in createFeatures.
 */
import type { Feature } from '../feature';
import { RedactingSpanProcessor } from './span-processor';

export { RedactingLogRecordProcessor } from './log-processor';

export function createSecretsFeature(): Feature {
  return { spanProcessors: [new RedactingSpanProcessor()] };
}
