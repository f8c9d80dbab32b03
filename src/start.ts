/**
 * start() and shutdown(): the programmatic entry, and what the preload calls. One
 * otelkit per process — a second start() (preload plus an explicit call) returns the
 * running instance with one warning, and never doubles spans.
 */
import { loadConfig, type Config, type Env } from './config';
import { readAppInfo, type AppInfo } from './app-info';
import { componentLogger, setupDiag } from './diag';
import type { Additions, Sdk } from './sdk';
import type { Router } from './server/router';
import { checkApi } from './api-version';

const log = componentLogger('otelkit');
const kInstance = Symbol.for('otelkit.instance');

/**
 * Options of start(). Beside otelkit's own, the additions NodeSDK takes, in its shapes:
 * instrumentations, span processors (run after otelkit's statistics processors, before its
 * exporters), metric readers, views and resource attributes.
 */
export interface StartOptions extends Additions {
  /** Environment to read instead of process.env (tests, embedding). */
  readonly env?: Env;
  /** Flush and re-raise on SIGTERM/SIGINT and flush before exit (default true). */
  readonly handleSignals?: boolean;
}

export interface Otelkit {
  readonly config: Config;
  readonly app: AppInfo;
  readonly sdk: Sdk;
  /** Bound port of the admin server, once listening (undefined if it could not listen). */
  readonly adminPort: Promise<number | undefined>;
  /** The admin route table (served on the admin port, mounted routes, monitoringHandler()). */
  readonly router: Router;
  isDraining(): boolean;
  shutdown(): Promise<void>;
}

type Global = typeof globalThis & { [kInstance]?: Otelkit };

export function currentInstance(): Otelkit | undefined {
  return (globalThis as Global)[kInstance];
}

/** Starts otelkit once; never throws into the caller. */
export function start(options: StartOptions = {}): Otelkit | undefined {
  const existing = currentInstance();
  if (existing) {
    log.warn('otelkit is already running (started by the preload?); start() returned the running instance.');
    return existing;
  }
  try {
    const warnings: string[] = [];
    const config = loadConfig(options.env ?? process.env, (w) => warnings.push(w));
    // Disabled: nothing is installed, not even a diagnostics logger.
    if (config.sdkDisabled) return undefined;
    setupDiag(config.otelLogLevel);
    const app = readAppInfo();
    const api = checkApi(app.dir);
    if (api !== undefined) log.warn(api.message);
    if (api?.fatal) return undefined;
    try {
      // Loaded here: the SDK is needed only once otelkit really starts.
      const { createInstance } = require('./instance') as typeof import('./instance');
      const instance = createInstance(config, app, options);
      (globalThis as Global)[kInstance] = instance;
      return instance;
    } finally {
      // Once the logger is configured: the warnings are log records (JSON, LOG_FILE, OTLP).
      const configLog = componentLogger('otelkit:config');
      for (const w of warnings) configLog.warn(w);
    }
  } catch (err) {
    log.error(`otelkit failed to start; the application runs uninstrumented: ${err instanceof Error ? err.stack : String(err)}`);
    return undefined;
  }
}

/** Flushes and stops the running instance (bounded by OTELKIT_SHUTDOWN_TIMEOUT_MS). */
export async function shutdown(): Promise<void> {
  await currentInstance()?.shutdown();
}
