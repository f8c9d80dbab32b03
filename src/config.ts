/**
 * Every environment variable otelkit reads is declared in ENV_TABLE and read here, once.
 * No other module touches process.env: they receive the frozen Config from loadConfig().
 *
 * Two-phase error rule: a bad value never throws. It produces one warning naming the
 * variable, the value and the default used instead.
 */
import { parseSize, parseRetention } from './config-parse';
import { maskText, maskUrl } from './secrets/rules';

export type EnvType = 'boolean' | 'integer' | 'number' | 'string' | 'enum' | 'list' | 'modules' | 'url' | 'endpoint' | 'port' | 'size' | 'retention';

export interface EnvSpec {
  /** Environment variable name. */
  readonly key: string;
  /** Field of Config it fills. */
  readonly field: keyof Config;
  readonly type: EnvType;
  /** Default as a user would write it in the environment ('' = unset). */
  readonly default: string;
  readonly description: string;
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for enum, or for each item of a list. */
  readonly values?: readonly string[];
}

export type SamplerName =
  | 'always_on' | 'always_off' | 'traceidratio'
  | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export interface Config {
  readonly sdkDisabled: boolean;
  readonly serviceName: string;
  readonly resourceAttributes: string;
  readonly tracesExporter: readonly string[];
  readonly metricsExporter: readonly string[];
  readonly logsExporter: readonly string[];
  readonly otlpEndpoint: string;
  readonly otlpTracesEndpoint: string;
  readonly otlpMetricsEndpoint: string;
  readonly otlpLogsEndpoint: string;
  readonly otlpProtocol: OtlpProtocol;
  readonly otlpTracesProtocol: OtlpProtocol | '';
  readonly otlpMetricsProtocol: OtlpProtocol | '';
  readonly otlpLogsProtocol: OtlpProtocol | '';
  readonly metricExportIntervalMs: number;
  readonly otlpTimeoutMs: number;
  readonly bspScheduleDelayMs: number;
  readonly bspExportTimeoutMs: number;
  readonly bspMaxQueueSize: number;
  readonly bspMaxExportBatchSize: number;
  readonly prometheusHost: string;
  readonly prometheusPort: number;
  readonly enabledInstrumentations: readonly string[];
  readonly disabledInstrumentations: readonly string[];
  readonly extensions: readonly string[];
  readonly lambdaFunction: string;
  readonly tracesSampler: SamplerName;
  readonly tracesSamplerArg: number;
  readonly trustClientSampling: boolean;
  readonly spanAttributeCountLimit: number;
  readonly attributeCountLimit: number;
  readonly spanAttributeValueLengthLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly spanEventCountLimit: number;
  readonly spanLinkCountLimit: number;
  readonly otelLogLevel: string;
  readonly nodeEnv: string;
  readonly logLevel: string;
  readonly jsonLogs: boolean;
  readonly logFile: string;
  readonly logMaxSize: string;
  readonly logMaxFiles: string;
  readonly logZipArchives: boolean;
  /** Level of the access line, or 'off'. */
  readonly accessLog: 'info' | 'http' | 'verbose' | 'debug' | 'off';
  readonly slowQueryMs: number;
  readonly slowQueryLimit: number;
  readonly nPlusOneMin: number;
  readonly apmMaxOperations: number;
  readonly adminHost: string;
  readonly adminPort: number;
  readonly adminToken: string;
  readonly mountRoutes: boolean;
  readonly requestIdHeader: string;
  readonly shutdownTimeoutMs: number;
  readonly healthTimeoutMs: number;
  readonly healthCacheMs: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly processRole: 'auto' | 'service' | 'wrapper';
  readonly pm2ExecPath: string;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;

/** The one table of every variable. README's configuration table is tested against it. */
export const ENV_TABLE: readonly EnvSpec[] = [
  // OpenTelemetry standard variables
  { key: 'OTEL_SDK_DISABLED', field: 'sdkDisabled', type: 'boolean', default: 'false', description: 'Install nothing: the app runs exactly as without otelkit.' },
  { key: 'OTEL_SERVICE_NAME', field: 'serviceName', type: 'string', default: '', description: "service.name; defaults to the app's package.json name, else unknown_service:node." },
  { key: 'OTEL_RESOURCE_ATTRIBUTES', field: 'resourceAttributes', type: 'string', default: '', description: 'Extra resource attributes, key1=value1,key2=value2.' },
  { key: 'OTEL_TRACES_EXPORTER', field: 'tracesExporter', type: 'list', default: '', values: ['otlp', 'console', 'none'], description: 'Span exporters; default none, or otlp when an OTLP endpoint is set. Spans always feed APM and slow queries.' },
  { key: 'OTEL_METRICS_EXPORTER', field: 'metricsExporter', type: 'list', default: '', values: ['prometheus', 'otlp', 'console', 'none'], description: 'Metric exporters; default prometheus, plus otlp when an OTLP endpoint is set.' },
  { key: 'OTEL_LOGS_EXPORTER', field: 'logsExporter', type: 'list', default: '', values: ['otlp', 'console', 'none'], description: 'Log record exporters; default none, or otlp when an OTLP endpoint is set.' },
  { key: 'OTEL_EXPORTER_OTLP_ENDPOINT', field: 'otlpEndpoint', type: 'endpoint', default: '', description: 'Collector base URL (e.g. http://localhost:4318); setting it turns on OTLP export of traces, metrics and logs.' },
  { key: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', field: 'otlpTracesEndpoint', type: 'endpoint', default: '', description: 'Full URL for spans (overrides the base endpoint).' },
  { key: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', field: 'otlpMetricsEndpoint', type: 'endpoint', default: '', description: 'Full URL for metrics (overrides the base endpoint).' },
  { key: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', field: 'otlpLogsEndpoint', type: 'endpoint', default: '', description: 'Full URL for logs (overrides the base endpoint).' },
  { key: 'OTEL_EXPORTER_OTLP_PROTOCOL', field: 'otlpProtocol', type: 'enum', default: 'http/protobuf', values: PROTOCOLS, description: 'OTLP transport: http/protobuf, http/json or grpc.' },
  { key: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', field: 'otlpTracesProtocol', type: 'enum', default: '', values: PROTOCOLS, description: 'OTLP transport for spans (overrides the general protocol).' },
  { key: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', field: 'otlpMetricsProtocol', type: 'enum', default: '', values: PROTOCOLS, description: 'OTLP transport for metrics.' },
  { key: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', field: 'otlpLogsProtocol', type: 'enum', default: '', values: PROTOCOLS, description: 'OTLP transport for logs.' },
  { key: 'OTEL_EXPORTER_OTLP_TIMEOUT', field: 'otlpTimeoutMs', type: 'integer', default: '10000', min: 1, max: 600_000, description: 'Longest an OTLP export may take with its retries; otelkit caps it at OTELKIT_SHUTDOWN_TIMEOUT_MS so no exit waits longer.' },
  { key: 'OTEL_METRIC_EXPORT_INTERVAL', field: 'metricExportIntervalMs', type: 'integer', default: '60000', min: 100, max: 86_400_000, description: 'Milliseconds between OTLP metric exports.' },
  { key: 'OTEL_BSP_SCHEDULE_DELAY', field: 'bspScheduleDelayMs', type: 'integer', default: '1000', min: 0, max: 600_000, description: 'Milliseconds between span batches (otelkit default 1000; the specification says 5000).' },
  { key: 'OTEL_BSP_EXPORT_TIMEOUT', field: 'bspExportTimeoutMs', type: 'integer', default: '10000', min: 100, max: 600_000, description: 'Longest a span batch export may take.' },
  { key: 'OTEL_BSP_MAX_QUEUE_SIZE', field: 'bspMaxQueueSize', type: 'integer', default: '2048', min: 1, max: 1_000_000, description: 'Spans queued for export at most; past it spans are dropped and counted.' },
  { key: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', field: 'bspMaxExportBatchSize', type: 'integer', default: '512', min: 1, max: 1_000_000, description: 'Spans per export request (at most the queue size).' },
  { key: 'OTEL_EXPORTER_PROMETHEUS_HOST', field: 'prometheusHost', type: 'string', default: 'localhost', description: 'Host the Prometheus endpoint binds (containers: 0.0.0.0).' },
  { key: 'OTEL_EXPORTER_PROMETHEUS_PORT', field: 'prometheusPort', type: 'port', default: '9464', description: 'Port of the Prometheus endpoint (/metrics).' },
  { key: 'OTEL_NODE_ENABLED_INSTRUMENTATIONS', field: 'enabledInstrumentations', type: 'list', default: '', description: 'Only these instrumentations (short names: http, pg, amqplib, …); default every one of the catalogue except express, router, fs and host-metrics.' },
  { key: 'OTEL_NODE_DISABLED_INSTRUMENTATIONS', field: 'disabledInstrumentations', type: 'list', default: '', description: 'Instrumentations to leave out.' },
  { key: 'AWS_LAMBDA_FUNCTION_NAME', field: 'lambdaFunction', type: 'string', default: '', description: 'Set by AWS Lambda; the aws-lambda instrumentation loads only there.' },
  { key: 'OTEL_TRACES_SAMPLER', field: 'tracesSampler', type: 'enum', default: 'parentbased_always_on', values: SAMPLERS, description: 'Head sampler: decides which spans are exported. APM statistics, slow queries and request metrics count every request.' },
  { key: 'OTEL_TRACES_SAMPLER_ARG', field: 'tracesSamplerArg', type: 'number', default: '1', min: 0, max: 1, description: 'Ratio for the traceidratio samplers.' },
  { key: 'OTELKIT_TRUST_CLIENT_SAMPLING', field: 'trustClientSampling', type: 'boolean', default: 'false', description: "Let the sampled flag of an incoming traceparent decide (the parentbased samplers' rule); by default the local sampler decides. Statistics count every request either way." },
  { key: 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', field: 'spanAttributeCountLimit', type: 'integer', default: '', min: 1, max: 1_000_000, description: 'Attributes per span at most (SDK default 128).' },
  { key: 'OTEL_ATTRIBUTE_COUNT_LIMIT', field: 'attributeCountLimit', type: 'integer', default: '', min: 1, max: 1_000_000, description: 'Attributes per span when the span-specific limit is unset.' },
  { key: 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', field: 'spanAttributeValueLengthLimit', type: 'integer', default: '', min: 1, max: 100_000_000, description: 'Longest attribute value on spans, in characters (SDK default: no limit).' },
  { key: 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', field: 'attributeValueLengthLimit', type: 'integer', default: '', min: 1, max: 100_000_000, description: 'Longest attribute value when the span-specific limit is unset.' },
  { key: 'OTEL_SPAN_EVENT_COUNT_LIMIT', field: 'spanEventCountLimit', type: 'integer', default: '', min: 1, max: 1_000_000, description: 'Events per span at most (SDK default 128).' },
  { key: 'OTEL_SPAN_LINK_COUNT_LIMIT', field: 'spanLinkCountLimit', type: 'integer', default: '', min: 1, max: 1_000_000, description: 'Links per span at most (SDK default 128).' },
  { key: 'OTEL_LOG_LEVEL', field: 'otelLogLevel', type: 'enum', default: 'warn', values: ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'], description: "Level of otelkit's and the SDK's own diagnostics on stderr." },
  // Logging (names kept from the system otelkit grew out of)
  { key: 'NODE_ENV', field: 'nodeEnv', type: 'string', default: 'development', description: 'production switches logs to JSON.' },
  { key: 'LOG_LEVEL', field: 'logLevel', type: 'enum', default: 'info', values: LOG_LEVELS, description: 'winston level: error, warn, info, http, verbose, debug, silly.' },
  { key: 'ENABLE_JSON_LOGS', field: 'jsonLogs', type: 'boolean', default: 'false', description: 'JSON lines instead of coloured text (true when NODE_ENV=production).' },
  { key: 'LOG_FILE', field: 'logFile', type: 'string', default: '', description: 'Also write JSON lines to this file, rotated.' },
  { key: 'LOG_MAX_SIZE', field: 'logMaxSize', type: 'size', default: '500m', description: 'Rotate the log file at this size (k, m, g).' },
  { key: 'LOG_MAX_FILES', field: 'logMaxFiles', type: 'retention', default: '30d', description: 'Keep rotated files this long (30d) or this many (10).' },
  { key: 'LOG_ZIP_ARCHIVES', field: 'logZipArchives', type: 'boolean', default: 'true', description: 'gzip rotated files.' },
  { key: 'OTELKIT_ACCESS_LOG', field: 'accessLog', type: 'enum', default: 'info', values: ['info', 'http', 'verbose', 'debug', 'off', 'true', 'false'], description: 'Level of the one access line per request (method, path, route, status, duration, request id), or off; true means info, false off.' },
  // otelkit
  { key: 'OTELKIT_EXTENSIONS', field: 'extensions', type: 'modules', default: '', description: 'Modules (comma-separated, resolved from the app) exporting extra instrumentations, span processors, metric readers or views: the options of start().' },
  { key: 'OTELKIT_SLOW_QUERY_MS', field: 'slowQueryMs', type: 'number', default: '100', min: 0, max: 3_600_000, description: 'Database calls at or over this many milliseconds become slow-query records.' },
  { key: 'OTELKIT_SLOW_QUERY_LIMIT', field: 'slowQueryLimit', type: 'integer', default: '1000', min: 1, max: 100_000, description: 'Slow-query records kept (newest win).' },
  { key: 'OTELKIT_N_PLUS_ONE_MIN', field: 'nPlusOneMin', type: 'integer', default: '10', min: 2, max: 100_000, description: 'Same statement shape this many times in one request is an N+1 detection.' },
  { key: 'OTELKIT_APM_MAX_OPERATIONS', field: 'apmMaxOperations', type: 'integer', default: '500', min: 1, max: 100_000, description: 'APM operations tracked; later ones are counted under other.' },
  { key: 'OTELKIT_ADMIN_HOST', field: 'adminHost', type: 'string', default: '', description: 'Host of the admin endpoints; default: the Prometheus host.' },
  { key: 'OTELKIT_ADMIN_PORT', field: 'adminPort', type: 'port', default: '', description: 'Port of the admin endpoints; default: the Prometheus port (one server).' },
  { key: 'OTELKIT_ADMIN_TOKEN', field: 'adminToken', type: 'string', default: '', description: 'Bearer token for DELETE endpoints; unset: loopback clients only.' },
  { key: 'OTELKIT_MOUNT_ROUTES', field: 'mountRoutes', type: 'boolean', default: 'false', description: "Also answer /api/health* and /api/metrics* on the app's own HTTP servers." },
  { key: 'OTELKIT_REQUEST_ID_HEADER', field: 'requestIdHeader', type: 'string', default: 'X-Request-ID', description: 'Header carrying the request id in and out (matched in any case, written as given).' },
  { key: 'OTELKIT_SHUTDOWN_TIMEOUT_MS', field: 'shutdownTimeoutMs', type: 'integer', default: '5000', min: 0, max: 600_000, description: 'Longest flush at shutdown.' },
  { key: 'OTELKIT_HEALTH_TIMEOUT_MS', field: 'healthTimeoutMs', type: 'integer', default: '2000', min: 10, max: 60_000, description: 'Bound on each health probe.' },
  { key: 'OTELKIT_HEALTH_CACHE_MS', field: 'healthCacheMs', type: 'integer', default: '1000', min: 0, max: 600_000, description: 'Detailed health results are reused this long.' },
  { key: 'DATABASE_URL', field: 'databaseUrl', type: 'url', default: '', description: "PostgreSQL, MySQL or MariaDB URL probed by detailed health with the app's own pg, mysql2 or mariadb (password masked everywhere)." },
  { key: 'REDIS_URL', field: 'redisUrl', type: 'url', default: '', description: 'Redis URL probed by detailed health.' },
  // Many processes (docs/ARCHITECTURE.md "Many processes")
  { key: 'OTELKIT_PROCESS_ROLE', field: 'processRole', type: 'enum', default: 'auto', values: ['auto', 'service', 'wrapper'], description: 'auto: the preload steps aside in package managers, script runners, watchers and PM2\'s CLI and daemon (npm, npx, yarn, pnpm, cross-env, nodemon, tsx, …), so the service process owns the endpoints; service: start in this process whatever it is; wrapper: never start in it.' },
  { key: 'pm_exec_path', field: 'pm2ExecPath', type: 'string', default: '', description: "Set by PM2 (inside pm2_env, which otelkit reads as PM2's container will): the app's script, whose package names the service." },
];

export type Env = Readonly<Record<string, string | undefined>>;
export type Warn = (message: string) => void;

/**
 * The environment the application will see. PM2 hands an app its environment as JSON in
 * `pm2_env` and its container copies it into process.env only after the preload ran; read
 * here as the container will, so OTEL_SERVICE_NAME and the rest set for the app apply.
 */
export function serviceEnvironment(env: Env): Env {
  const raw = env.pm2_env;
  if (raw === undefined || raw === '') return env;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed === null || typeof parsed !== 'object') return env;
    const out: Record<string, string | undefined> = { ...env };
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
    return out;
  } catch {
    return env;
  }
}

/** Reads the environment once into a frozen Config. Never throws. */
export function loadConfig(env: Env = process.env, warn: Warn = defaultWarn): Config {
  const out: Record<string, unknown> = {};
  for (const spec of ENV_TABLE) {
    const raw = env[spec.key];
    const value = raw === undefined || raw.trim() === '' ? undefined : parseValue(spec, raw.trim());
    if (value instanceof Invalid) {
      // A value may carry credentials (a URL's password above all): shown masked.
      const shown = spec.type === 'url' || spec.type === 'endpoint' ? maskUrl(raw!.trim()) : maskText(raw!);
      warn(`${spec.key}=${quote(shown)} is invalid (${value.reason}); using ${spec.default === '' ? 'the default' : `the default ${quote(spec.default)}`}.`);
    }
    out[spec.field] = value === undefined || value instanceof Invalid ? parseDefault(spec) : value;
  }
  return Object.freeze(derive(out as unknown as Config));
}

/** Fills defaults that depend on other values. */
function derive(c: Config): Config {
  const jsonLogs = c.jsonLogs || c.nodeEnv === 'production';
  const accessLog = (c.accessLog as string) === 'true' ? 'info' : (c.accessLog as string) === 'false' ? 'off' : c.accessLog;
  return {
    ...c,
    jsonLogs,
    accessLog,
    adminHost: c.adminHost || c.prometheusHost,
    adminPort: c.adminPort || c.prometheusPort,
  };
}

class Invalid {
  constructor(readonly reason: string) {}
}

function parseDefault(spec: EnvSpec): unknown {
  if (spec.default === '') return spec.type === 'list' || spec.type === 'modules' ? [] : spec.type === 'port' || spec.type === 'integer' || spec.type === 'number' ? 0 : '';
  const value = parseValue(spec, spec.default);
  if (value instanceof Invalid) throw new Error(`otelkit: bad default for ${spec.key}`);
  return value;
}

function parseValue(spec: EnvSpec, raw: string): unknown {
  switch (spec.type) {
    case 'boolean': {
      const v = raw.toLowerCase();
      if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
      if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
      return new Invalid('expected true or false');
    }
    case 'integer':
    case 'number':
    case 'port': {
      const n = Number(raw);
      if (!Number.isFinite(n)) return new Invalid('not a number');
      if (spec.type !== 'number' && !Number.isInteger(n)) return new Invalid('not a whole number');
      const [min, max] = spec.type === 'port' ? [0, 65535] : [spec.min ?? -Infinity, spec.max ?? Infinity];
      if (n < min || n > max) return new Invalid(`outside ${min}..${max}`);
      return n;
    }
    case 'enum': {
      const v = raw.toLowerCase();
      return spec.values!.includes(v) ? v : new Invalid(`expected one of ${spec.values!.join(', ')}`);
    }
    case 'list': {
      const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      const bad = spec.values ? items.filter((i) => !spec.values!.includes(i)) : [];
      return bad.length ? new Invalid(`unknown ${bad.join(', ')}; expected ${spec.values!.join(', ')}`) : items;
    }
    case 'modules':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'endpoint': {
      // "localhost:4318" parses as a URL of scheme "localhost:": told now, not at the first export.
      let url: URL | undefined;
      try {
        url = new URL(raw);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        return new Invalid(`an OTLP endpoint needs http:// or https://, as in http://${maskUrl(raw).replace(/^[a-z]+:\/\//i, '')}; OTLP export stays off`);
      }
      return raw;
    }
    case 'url': {
      try {
        const u = new URL(raw);
        return u.protocol ? raw : new Invalid('not a URL');
      } catch {
        return new Invalid('not a URL');
      }
    }
    case 'size':
      return parseSize(raw) === undefined ? new Invalid('expected a size like 500m, 20k or 1g') : raw.toLowerCase();
    case 'retention':
      return parseRetention(raw) === undefined ? new Invalid('expected a count like 10 or an age like 30d') : raw.toLowerCase();
    case 'string':
      return raw;
  }
}

function quote(s: string): string {
  // Never echo control characters from the environment into the terminal.
  return JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s);
}

function defaultWarn(message: string): void {
  process.emitWarning(message, { code: 'OTELKIT_CONFIG' });
}
