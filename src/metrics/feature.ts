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
  /** The latest readings (empty, `at: 0`, until the first sample). */
  readings(): Readings;
}

const EMPTY: Readings = {
  at: 0,
  system: { cpuPercent: null, memory: null, disk: null },
  process: { pid: process.pid, rssBytes: 0, heapUsedBytes: 0, heapLimitBytes: 0, cpuPercent: null, threads: null, openFds: null, eventLoopDelayP99Ms: null },
};

export function createMetricsFeature(_config: Config): MetricsFeature {
  let sampler: Sampler | undefined;
  let unregister: (() => void) | undefined;
  const readings = () => sampler?.latest() ?? EMPTY;
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
