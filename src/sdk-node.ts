/**
 * Loads NodeSDK without its eager imports. sdk-node's module imports every exporter and
 * propagator it might build from the environment (OTLP over gRPC, HTTP and protobuf for
 * three signals, Zipkin, B3, Jaeger, Prometheus) — about 190 ms of start-up on this
 * project's test machine. otelkit hands NodeSDK every component explicitly, so those
 * imports are replaced by placeholders that load the real module on first property
 * access: nothing changes if NodeSDK ever does use one, but an app that never does never
 * pays for it.
 */
import Module from 'node:module';
import { dirname } from 'node:path';
import type { NodeSDK as NodeSDKType } from '@opentelemetry/sdk-node';

const EAGER = [
  '@opentelemetry/exporter-trace-otlp-grpc', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-metrics-otlp-grpc', '@opentelemetry/exporter-metrics-otlp-http', '@opentelemetry/exporter-metrics-otlp-proto',
  '@opentelemetry/exporter-logs-otlp-grpc', '@opentelemetry/exporter-logs-otlp-http', '@opentelemetry/exporter-logs-otlp-proto',
  '@opentelemetry/exporter-zipkin', '@opentelemetry/propagator-b3', '@opentelemetry/propagator-jaeger',
];

export function loadNodeSdk(): typeof NodeSDKType {
  const sdkFile = require.resolve('@opentelemetry/sdk-node/build/src/sdk');
  if (!(sdkFile in require.cache)) {
    const from = dirname(sdkFile);
    for (const request of EAGER) deferModule(request, from);
  }
  return (require(sdkFile) as typeof import('@opentelemetry/sdk-node')).NodeSDK;
}

function deferModule(request: string, from: string): void {
  let file: string;
  try {
    file = require.resolve(request, { paths: [from] });
  } catch {
    return;
  }
  if (file in require.cache) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file) as object;
    }
    return real;
  };
  const placeholder = new Module(file);
  placeholder.filename = file;
  placeholder.loaded = true;
  placeholder.exports = new Proxy({}, {
    get: (_t, key) => Reflect.get(load(), key),
    has: (_t, key) => Reflect.has(load(), key),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
  });
  require.cache[file] = placeholder;
}
