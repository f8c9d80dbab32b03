/**
 * Recent errors as a Feature: a span processor groups failed requests and exceptions by
 * fingerprint into a bounded store, served at /api/performance/errors. It runs after the
 * database processor, whose onEnding has already taken values out of driver messages;
 * the store redacts what it keeps in any case (src/errors/occurrence.ts).
 */
import type { Config } from '../config';
import type { Feature } from '../feature';
import { ErrorSpanProcessor } from './processor';
import { errorRoutes } from './routes';
import { ErrorStore } from './store';

export interface ErrorsFeature extends Feature {
  readonly store: ErrorStore;
  readonly processor: ErrorSpanProcessor;
}

export function createErrorsFeature(config: Config): ErrorsFeature {
  const store = new ErrorStore();
  const processor = new ErrorSpanProcessor(store);
  return {
    store,
    processor,
    spanProcessors: [processor],
    bind: () => errorRoutes(store, config.adminToken),
  };
}
