/**
 * Health as a Feature: the built-in checks (database, redis, system, process), the
 * registered custom ones, the cached runner, the routes and the health instruments.
 */
import type { Config } from '../config';
import type { Feature } from '../feature';
import type { Readings } from '../metrics/sampler';
import type { RouteTable } from '../server/router';
import { processCheck, systemCheck } from './builtin';
import { createDatabaseProbe, type Probe } from './database';
import { createMasker } from './mask';
import { startHealthMetrics, type HealthMetrics } from './metrics';
import { createRedisProbe } from './redis';
import { store } from './registry';
import { healthRoutes } from './routes';
import { createHealthRunner } from './runner';
import type { CheckDef } from './run';

export function createHealthFeature(config: Config, readings: () => Promise<Readings>): Feature {
  const probes: Probe[] = [];
  let metrics: HealthMetrics | undefined;
  return {
    bind(running): RouteTable {
      const timeoutMs = config.healthTimeoutMs;
      probes.push(createDatabaseProbe(config.databaseUrl, running.app.dir, timeoutMs), createRedisProbe(config.redisUrl, running.app.dir, timeoutMs));
      const builtin: CheckDef[] = [...probes, systemCheck(readings), processCheck(readings)];
      const checks = (): CheckDef[] => [
        ...builtin,
        ...[...store().checks].map(([name, c]) => ({ name, critical: c.critical, timed: true, run: c.check })),
      ];
      const runner = createHealthRunner({
        checks,
        timeoutMs,
        cacheMs: config.healthCacheMs,
        mask: createMasker([config.databaseUrl, config.redisUrl]),
      });
      metrics = startHealthMetrics(running.meter, runner);
      return healthRoutes(runner, running.isDraining);
    },
    async shutdown() {
      metrics?.shutdown();
      await Promise.allSettled(probes.map((p) => p.shutdown()));
    },
  };
}
