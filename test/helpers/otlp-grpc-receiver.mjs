// A real OTLP/gRPC receiver for tests (TraceService/Export only), decoding with the same
// OTLP schema subset as the HTTP receiver. Uses @grpc/grpc-js, which the OpenTelemetry gRPC
// exporter itself depends on.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const root = protobuf.loadSync(fileURLToPath(new URL('./otlp.proto', import.meta.url)));
const Request = root.lookupType('otlp.ExportTraceServiceRequest');

export async function startGrpcReceiver() {
  const requests = [];
  const server = new grpc.Server();
  server.addService({
    Export: {
      path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      requestStream: false,
      responseStream: false,
      requestDeserialize: (buf) => Request.toObject(Request.decode(buf), { longs: Number, bytes: String }),
      responseSerialize: () => Buffer.alloc(0),
    },
  }, {
    Export: (call, callback) => {
      requests.push(call.request);
      callback(null, {});
    },
  });
  const port = await new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  const spans = () => requests.flatMap((r) => (r.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? [])));
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
