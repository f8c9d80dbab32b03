// A fixture app exporting over OTLP to a receiver the test runs, with its Prometheus endpoint
// on a port of its own; stopped with SIGTERM (its last export sent) after `fn`.
import { startApp, freePort, get } from './app.mjs';
import { startReceiver } from './otlp-receiver.mjs';

export async function withExportingApp(file, env, fn) {
  const receiver = await startReceiver();
  const promPort = await freePort();
  const app = await startApp(file, {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '300', OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), ...env },
  });
  try {
    await fn({ app, receiver, scrape: async () => (await get(`http://127.0.0.1:${promPort}/metrics`)).text });
  } finally {
    await app.stop('SIGTERM');
    await receiver.close();
  }
}
