/**
 * The database concern as a Feature: statements made safe, slow queries, N+1 detection.
 * Its span processor must run first (src/start.ts createFeatures) so that nothing after
 * it — APM statistics, exporters — ever sees a statement with its values.
 */
import type { Counter } from '@opentelemetry/api';
import type { Config } from '../config';
import type { Feature } from '../feature';
import { componentLogger } from '../diag';
import { DbSpanProcessor } from './processor';
import { SlowQueryStore } from './slow-queries';
import { NPlusOneDetector, type Detection } from './n-plus-one';
import { setQuerySink } from './track-query';
import { dbRoutes } from './routes';

const log = componentLogger('otelkit:db');
/** Distinct route + fingerprint pairs remembered for "log once". */
const MAX_WARNED = 1000;

export interface DbFeature extends Feature {
  readonly slow: SlowQueryStore;
  readonly nPlusOne: NPlusOneDetector;
  readonly processor: DbSpanProcessor;
}

export function createDbFeature(config: Config): DbFeature {
  let slowCounter: Counter | undefined;
  let nPlusOneCounter: Counter | undefined;
  const warned = new Set<string>();

  const onDetect = (d: Detection) => {
    nPlusOneCounter?.add(1, { 'http.route': d.route });
    const key = `${d.route}\u0000${d.fingerprint}`;
    if (warned.has(key) || warned.size >= MAX_WARNED) return;
    warned.add(key);
    log.warn(`N+1 query pattern: ${d.route} ran one statement ${d.count} times in one request (${d.total_ms} ms): ${d.statement} [fingerprint ${d.fingerprint}, trace ${d.trace_id}]; reported once per route and statement.`);
  };

  const slow = new SlowQueryStore(config.slowQueryLimit);
  const nPlusOne = new NPlusOneDetector({ minRepeats: config.nPlusOneMin, onDetect });
  const processor = new DbSpanProcessor({
    thresholdMs: config.slowQueryMs,
    slow,
    nPlusOne,
    onSlow: (q) => slowCounter?.add(1, { 'db.system.name': q.dbSystem ?? 'other', 'db.operation.name': q.operation }),
  });
  setQuerySink({
    defaultThresholdMs: config.slowQueryMs,
    record(q) {
      slow.record(q);
      slowCounter?.add(1, { 'db.system.name': q.dbSystem ?? 'other', 'db.operation.name': q.operation });
    },
  });

  return {
    slow,
    nPlusOne,
    processor,
    spanProcessors: [processor],
    bind(running) {
      slowCounter = running.meter.createCounter('otelkit.db.slow_queries', {
        description: `Database calls that took OTELKIT_SLOW_QUERY_MS (${config.slowQueryMs} ms) or longer.`,
        unit: '{query}',
      });
      nPlusOneCounter = running.meter.createCounter('otelkit.db.n_plus_one', {
        description: `Requests that ran one statement shape OTELKIT_N_PLUS_ONE_MIN (${config.nPlusOneMin}) or more times, per statement.`,
        unit: '{detection}',
      });
      return dbRoutes({ thresholdMs: config.slowQueryMs, adminToken: config.adminToken, slow, nPlusOne });
    },
    async shutdown() {
      setQuerySink(undefined);
    },
  };
}
