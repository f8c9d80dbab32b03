/**
 * The APM concern as a Feature: a span processor turning every finished span into
 * per-operation statistics, their metrics (scope otelkit.apm) and admin routes. It runs
 * after the database feature's processor, so statements are already normalised.
 */
import { metrics } from '@opentelemetry/api';
import type { Config } from '../config';
import type { Feature } from '../feature';
import { componentLogger } from '../diag';
import { VERSION } from '../version';
import { ApmStats } from './stats';
import { ApmSpanProcessor } from './processor';
import { APM_SCOPE, registerApmMetrics } from './metrics';
import { apmRoutes } from './routes';

const log = componentLogger('otelkit:apm');

export interface ApmFeature extends Feature {
  readonly stats: ApmStats;
  readonly processor: ApmSpanProcessor;
}

export function createApmFeature(config: Config): ApmFeature {
  const stats = new ApmStats(config.apmMaxOperations, (max) => {
    log.warn(`APM operation limit reached (OTELKIT_APM_MAX_OPERATIONS=${max}); further operations are counted under "other" (see otelkit_apm_overflowed_total). Reported once.`);
  });
  const processor = new ApmSpanProcessor(stats);
  let unregister: (() => void) | undefined;
  return {
    stats,
    processor,
    spanProcessors: [processor],
    bind(running) {
      unregister = registerApmMetrics(metrics.getMeter(APM_SCOPE, VERSION), stats);
      return apmRoutes({ stats, prometheus: running.prometheus, adminToken: config.adminToken });
    },
    async shutdown() {
      unregister?.();
    },
  };
}
