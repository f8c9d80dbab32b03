/**
 * The metrics that only the service as a whole has: APM statistics rebuilt from the merged
 * sketches (scope otelkit.apm, the same instruments a single process registers, so the
 * names and help texts match), and the state of the gathering itself (scope
 * otelkit.cluster):
 *
 *   otelkit.cluster.processes  gauge {state: answered|missing}  → otelkit_cluster_processes
 *   otelkit.cluster.departed   counter                          → otelkit_cluster_departed_total
 *
 * A private MeterProvider read once per aggregated scrape; scrapes take turns on it.
 */
import { MeterProvider, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { APM_SCOPE, registerApmMetrics } from '../apm/metrics';
import { ApmStats } from '../apm/stats';
import { createPrometheusReader } from '../metrics/prometheus';
import { VERSION } from '../version';

export const CLUSTER_SCOPE = 'otelkit.cluster';

export interface GatherCounts {
  readonly answered: number;
  readonly missing: number;
  readonly departed: number;
}

export interface ServiceMeter {
  scopes(apm: ApmStats, counts: GatherCounts): Promise<ScopeMetrics[]>;
  shutdown(): Promise<void>;
}

export function createServiceMeter(): ServiceMeter {
  const { reader } = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader] });
  let apm = new ApmStats(1);
  let counts: GatherCounts = { answered: 0, missing: 0, departed: 0 };
  registerApmMetrics(provider.getMeter(APM_SCOPE, VERSION), {
    all: () => apm.all(),
    get overflowed() {
      return apm.overflowed;
    },
  });
  const meter = provider.getMeter(CLUSTER_SCOPE, VERSION);
  const processes = meter.createObservableGauge('otelkit.cluster.processes', {
    unit: '{process}',
    description: 'Processes of the service at this scrape: answered in time, or missing (their last figures are used).',
  });
  const departed = meter.createObservableCounter('otelkit.cluster.departed', {
    unit: '{process}',
    description: 'Processes of the service that ended; their counts stay in the totals.',
  });
  meter.addBatchObservableCallback((observer) => {
    observer.observe(processes, counts.answered, { state: 'answered' });
    observer.observe(processes, counts.missing, { state: 'missing' });
    observer.observe(departed, counts.departed);
  }, [processes, departed]);

  let turn: Promise<unknown> = Promise.resolve();
  return {
    scopes(a, c) {
      const run = turn.then(async () => {
        apm = a;
        counts = c;
        return (await reader.collect()).resourceMetrics.scopeMetrics;
      });
      turn = run.catch(() => undefined);
      return run;
    },
    shutdown: () => provider.shutdown(),
  };
}
