/**
 * NodeSDK, without paying for its eager imports. sdk-node's module imports every exporter
 * and propagator it might build from the environment (OTLP over gRPC, HTTP and protobuf for
 * three signals, Zipkin, B3, Jaeger) — about 190 ms of start-up on this project's test
 * machine. otelkit hands NodeSDK every component explicitly, so the build
 * (scripts/bundle.mjs) turns those imports into placeholders that load the real module on
 * first property access: nothing changes if NodeSDK ever does use one, and an app that
 * never does never pays for it.
 */
export { NodeSDK } from '@opentelemetry/sdk-node/build/src/sdk';
/** The span limits NodeSDK reads from OTEL_*_LIMIT variables (loaded with NodeSDK anyway). */
export { createSpanLimitsFromEnv } from '@opentelemetry/sdk-node/build/src/create-from-env';

/** The modules the build defers (see scripts/bundle.mjs). */
export const DEFERRED_BY_BUILD = [
  '@opentelemetry/exporter-trace-otlp-grpc', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-metrics-otlp-grpc', '@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-metrics-otlp-proto',
  '@opentelemetry/exporter-logs-otlp-grpc', '@opentelemetry/exporter-logs-otlp-http', '@opentelemetry/exporter-logs-otlp-proto',
  '@opentelemetry/exporter-zipkin', '@opentelemetry/propagator-b3', '@opentelemetry/propagator-jaeger',
] as const;
