/**
 * Metrics as a Feature: the background sampler, its OpenTelemetry instruments and
 * GET /api/metrics. Detailed health reads the same readings (readings()).
 */
import type { Config } from '../config';
import type { Feature } from '../feature';
import type { RouteTable } from '../server/router';
import { createRequestStats } from './app-stats';
import { registerSystemInstruments } from './instruments';
import { metricsJsonHandler } from './json';
import { createSampler, type Readings, type Sampler } from './sampler';

export interface MetricsFeature extends Feature {
  /** The latest readings; before the first sample, taken now (bounded wait, see Sampler.settled). */
  readings(): Promise<Readings>;
}

const NOT_BOUND = 'otelkit is not running';
const EMPTY: Readings = {
  at: 0,
  system: { cpuPercent: null, memory: null, disk: null },
  process: { pid: process.pid, rssBytes: 0, heapUsedBytes: 0, heapLimitBytes: 0, cpuPercent: null, threads: null, openFds: null, eventLoopDelayP99Ms: null },
  reasons: { cpu: NOT_BOUND, memory: NOT_BOUND, disk: NOT_BOUND, processCpu: NOT_BOUND, threads: NOT_BOUND, openFds: NOT_BOUND, eventLoopDelay: NOT_BOUND },
};

export function createMetricsFeature(_config: Config): MetricsFeature {
  let sampler: Sampler | undefined;
  let unregister: (() => void) | undefined;
  const readings = async () => (sampler === undefined ? EMPTY : sampler.settled());
  return {
    readings,
    bind(running): RouteTable {
      sampler = createSampler(running.app.dir);
      unregister = registerSystemInstruments(running.meter, sampler);
      const requests = createRequestStats(running.prometheus.reader);
      return { '/api/metrics': { GET: metricsJsonHandler({ startedAt: running.startedAt, requests, readings }) } };
    },
    async shutdown() {
      unregister?.();
      sampler?.shutdown();
    },
  };
}
