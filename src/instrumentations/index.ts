/**
 * Which instrumentations run, and with what configuration. Those that patch no module
 * (runtime-node, undici), and those of packages the app has already loaded, are built at
 * start; every other enabled one is built when the app first loads one of its modules, a
 * package or one of Node's own such as `net` (deferred.ts), so an app without Express
 * never pays for loading the Express instrumentation, nor for finding out whether Express
 * is installed (resolving the catalogue's 60 module names cost ~70 ms of start-up).
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS / _DISABLED_ pick by name, as
 * @opentelemetry/auto-instrumentations-node does.
 */
import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Span } from '@opentelemetry/api';
import type { Config } from '../config';
import { getRequestId } from '../requests/request-id';
import { componentLogger } from '../diag';
import { CATALOGUE, INSTRUMENTATION_NAMES, type CatalogueEntry } from './catalogue';
import { otlpTarget } from '../export/otlp';
import { appRequire } from '../health/app-require';

const log = componentLogger('otelkit:instrumentations');

export interface InstrumentationContext {
  readonly config: Config;
  /** OTLP log export is on: bridge the app's logger records to it. */
  readonly sendLogs: boolean;
  /** The application's directory, where its own packages resolve from. */
  readonly appDir?: string;
}

export interface Selection {
  /** Built now: those that patch no module, and those of packages the app has already loaded. */
  readonly instrumentations: Instrumentation[];
  /** Their names. */
  readonly names: string[];
  /** Built when the app first requires or imports one of their modules (deferred.ts). */
  readonly deferred: readonly CatalogueEntry[];
  /** otelkit's own HTTP server instrumentation is wanted. */
  readonly httpServer: boolean;
}

/** Adds the request id to the app's own log records (winston, pino and bunyan log hooks). */
function addRequestId(_span: Span, record: Record<string, unknown>): void {
  const id = getRequestId();
  if (id !== undefined) record['request_id'] = id;
}

/** otelkit's configuration of an instrumentation, where it differs from the default. */
const SETTINGS: Readonly<Record<string, (ctx: InstrumentationContext) => object>> = {
  // The server side is otelkit's own (src/requests/http-server.ts); the client side is this,
  // blind to the OTLP exporters' own requests (they are not the app's outgoing calls).
  http: ({ config }) => ({ disableIncomingRequestInstrumentation: true, ignoreOutgoingRequestHook: exporterRequests(config) }),
  // Router layers carry the route template; plain middleware would add a span each.
  koa: () => ({ ignoreLayersType: ['middleware'] }),
  // Queries keep their spans; the pool's connect calls (one per pool.query) do not.
  pg: () => ({ enhancedDatabaseReporting: false, ignoreConnectSpans: true }),
  winston: ({ sendLogs, appDir }) => {
    if (sendLogs && appDir !== undefined) warnWithoutWinstonTransport(appDir);
    return { disableLogSending: !sendLogs, logHook: addRequestId };
  },
  pino: ({ sendLogs }) => ({ disableLogSending: !sendLogs, logHook: addRequestId }),
  bunyan: ({ sendLogs }) => ({ disableLogSending: !sendLogs, logHook: addRequestId }),
};

/**
 * The winston instrumentation requires @opentelemetry/winston-transport from where it is
 * installed, without declaring it: a layout without hoisting (pnpm with hoist=false) leaves
 * it out of reach unless the application depends on it, and the app's records are then not
 * exported. Said once, with the remedy, when the application has winston of its own (the
 * instrumentation is also built when otelkit's logger loads winston).
 */
function warnWithoutWinstonTransport(appDir: string): void {
  try {
    appRequire(appDir).resolve('winston');
  } catch {
    return;
  }
  try {
    winstonTransportPath();
  } catch {
    log.warn('winston records are not exported: @opentelemetry/instrumentation-winston cannot find @opentelemetry/winston-transport '
      + '(a node_modules layout without hoisting, such as pnpm with hoist=false); add @opentelemetry/winston-transport to the application\'s dependencies.');
  }
}

interface OutgoingRequest {
  readonly hostname?: string | null;
  readonly host?: string | null;
  readonly port?: string | number | null;
  readonly path?: string | null;
}

/** Tells the OTLP exporters' requests (to the configured endpoints) from the app's. */
function exporterRequests(config: Config): (request: OutgoingRequest) => boolean {
  const targets: Array<{ host: string; port: string; path: string }> = [];
  for (const signal of ['traces', 'metrics', 'logs'] as const) {
    const target = otlpTarget(config, signal);
    if (target === undefined || target.protocol === 'grpc') continue;
    try {
      const url = new URL(target.url);
      targets.push({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (url.protocol === 'https:' ? '443' : '80'), path: url.pathname });
    } catch {
      // an endpoint that is not a URL is reported by the config check and never exported to
    }
  }
  if (targets.length === 0) return () => false;
  return (request) => {
    const host = (request.hostname ?? request.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const port = String(request.port ?? '');
    const path = request.path ?? '/';
    return targets.some((t) => t.host === host && (port === '' || t.port === port) && path.startsWith(t.path));
  };
}

/** Short name from "pg" or "@opentelemetry/instrumentation-pg". */
function shortName(name: string): string {
  return name.replace(/^@opentelemetry\/instrumentation-/, '');
}

export function isEnabled(entry: CatalogueEntry, config: Config): boolean {
  const enabled = config.enabledInstrumentations.map(shortName);
  const disabled = config.disabledInstrumentations.map(shortName);
  const wanted = enabled.length > 0 ? enabled.includes(entry.name) : !entry.offByDefault;
  return wanted && !disabled.includes(entry.name);
}

export function selectInstrumentations(ctx: InstrumentationContext): Selection {
  warnUnknownNames(ctx.config);
  const loadedNow = loadedPackages();
  const instrumentations: Instrumentation[] = [];
  const names: string[] = [];
  const deferred: CatalogueEntry[] = [];
  let httpServer = false;
  for (const entry of CATALOGUE) {
    if (!isEnabled(entry, ctx.config)) continue;
    if (entry.onlyIn === 'lambda' && !ctx.config.lambdaFunction) continue;
    // The server side is otelkit's own: it needs no module of the http instrumentation's.
    if (entry.name === 'http') httpServer = true;
    // Node's own modules: an instrumentation patches them only when they are required, so
    // building it then is the same, and an app that never requires `net` never loads it.
    if (entry.builtins !== undefined || (entry.modules.length > 0 && !entry.modules.some((m) => loadedNow.has(m)))) {
      deferred.push(entry);
      continue;
    }
    const instrumentation = construct(entry, ctx);
    if (instrumentation === undefined) continue;
    instrumentations.push(instrumentation);
    names.push(entry.name);
  }
  return { instrumentations, names, deferred, httpServer };
}

/** Names of the packages with a module in the require cache (node_modules/<name>/…). */
function loadedPackages(): Set<string> {
  const names = new Set<string>();
  for (const file of Object.keys(require.cache)) {
    const at = file.lastIndexOf('node_modules/');
    if (at === -1) continue;
    const rest = file.slice(at + 13).split('/');
    names.add(rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
  }
  return names;
}

export function construct(entry: CatalogueEntry, ctx: InstrumentationContext): Instrumentation | undefined {
  const pkg = `@opentelemetry/instrumentation-${entry.name}`;
  try {
    const Class = (loadCatalogued(pkg) as Record<string, new (config: object) => Instrumentation>)[entry.className];
    return new Class(SETTINGS[entry.name]?.(ctx) ?? {});
  } catch (err) {
    log.warn(`the ${entry.name} instrumentation could not be loaded (${(err as Error).message}); the application runs without it.`);
    return undefined;
  }
}

/**
 * A require from where the catalogue is: the instrumentation packages are its dependencies,
 * not otelkit's, and a layout that lets a package reach only what it declares (pnpm
 * without hoisting, say) finds them from there alone.
 */
let fromCatalogue: NodeRequire | undefined;
export function catalogueRequire(): NodeRequire {
  return (fromCatalogue ??= createRequire(require.resolve('@opentelemetry/auto-instrumentations-node')));
}

/** The @opentelemetry/winston-transport the winston instrumentation loads; throws when it cannot find one. */
export function winstonTransportPath(): string {
  return createRequire(catalogueRequire().resolve('@opentelemetry/instrumentation-winston')).resolve('@opentelemetry/winston-transport');
}

function loadCatalogued(pkg: string): unknown {
  try {
    return catalogueRequire()(pkg);
  } catch {
    return require(pkg);
  }
}

function warnUnknownNames(config: Config): void {
  for (const [key, list] of [['OTEL_NODE_ENABLED_INSTRUMENTATIONS', config.enabledInstrumentations], ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', config.disabledInstrumentations]] as const) {
    const unknown = list.map(shortName).filter((n) => !INSTRUMENTATION_NAMES.includes(n));
    if (unknown.length > 0) log.warn(`${key} names ${unknown.join(', ')}, which no instrumentation is called; known names: ${INSTRUMENTATION_NAMES.join(', ')}.`);
  }
}
