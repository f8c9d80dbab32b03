/**
 * Health results as OpenTelemetry instruments, so Prometheus can alert on "database down"
 * and "database latency > 100 ms" without anyone calling the endpoint:
 *   otelkit.health.check.up       gauge, 1 ok/warn, 0 down, attribute `check`
 *   otelkit.health.check.latency  gauge, seconds, attribute `check` (timed checks)
 * Both read the last completed run; a background probe (unref'd, one second after start,
 * then every PROBE_INTERVAL_MS) keeps that run fresh through the same cache and single flight as the endpoint.
 * Changes of a check to down and back are logged once each (masked).
 */
import type { Meter } from '@opentelemetry/api';
import { componentLogger } from '../diag';
import { FIRST_SAMPLE_DELAY_MS } from '../metrics/sampler';
import type { HealthRunner, Snapshot } from './runner';

export const PROBE_INTERVAL_MS = 15_000;
const log = componentLogger('otelkit:health');

export interface HealthMetrics {
  shutdown(): void;
}

export function startHealthMetrics(meter: Meter, runner: HealthRunner): HealthMetrics {
  const up = meter.createObservableGauge('otelkit.health.check.up', { description: 'Health check status: 1 ok or warn, 0 down (not configured checks are absent).' });
  const latency = meter.createObservableGauge('otelkit.health.check.latency', { unit: 's', description: 'Duration of the last health probe of the check.' });
  const callback = (observer: Parameters<Parameters<Meter['addBatchObservableCallback']>[0]>[0]) => {
    const snapshot = runner.last();
    if (snapshot === undefined) return;
    for (const [check, result] of Object.entries(snapshot.checks)) {
      if (result.status === 'not_configured') continue;
      observer.observe(up, result.status === 'down' ? 0 : 1, { check });
      if (typeof result.latency_ms === 'number') observer.observe(latency, result.latency_ms / 1000, { check });
    }
  };
  meter.addBatchObservableCallback(callback, [up, latency]);

  let previous: Snapshot | undefined;
  const probe = () =>
    runner.run().then((snapshot) => {
      if (snapshot !== previous) logChanges(previous, snapshot);
      previous = snapshot;
    });
  // The first probe waits as the first system sample does: it connects to the database and
  // reads /proc, which the application's own start-up should not wait for.
  const first = setTimeout(probe, FIRST_SAMPLE_DELAY_MS);
  first.unref();
  const timer = setInterval(probe, PROBE_INTERVAL_MS);
  timer.unref();

  return {
    shutdown() {
      clearTimeout(first);
      clearInterval(timer);
      try {
        meter.removeBatchObservableCallback(callback, [up, latency]);
      } catch {
        // the meter provider is already shut down
      }
    },
  };
}

function logChanges(before: Snapshot | undefined, after: Snapshot): void {
  for (const [name, result] of Object.entries(after.checks)) {
    const was = before?.checks[name]?.status;
    if (result.status === 'down' && was !== 'down') log.warn(`health check ${name} is down: ${result.error ?? 'no detail'}`);
    else if (was === 'down' && result.status !== 'down') log.info(`health check ${name} recovered (${result.status})`);
  }
}
