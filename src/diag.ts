/**
 * otelkit's own diagnostics go through OpenTelemetry's diag API, as component loggers
 * (`otelkit:apm`, `otelkit:config`, …). setupDiag() installs otelkit's diag logger at
 * OTEL_LOG_LEVEL (default warn); the application may install its own instead.
 *
 * Once otelkit's logger is configured (setLogSink), these messages are log records like
 * any other line: timestamp, level and component, JSON in production, in LOG_FILE and in
 * OTLP logs, with the request id where there is one. Before that, and whenever the logger
 * cannot take a line, they go to stderr.
 */
import { diag, DiagLogLevel, type DiagLogger, type ComponentLoggerOptions } from '@opentelemetry/api';
import { maskText } from './secrets/rules';

const LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/**
 * The same line repeated (an exporter failing every interval) is printed once, then at most
 * once a minute with the number of repeats left out.
 */
const REPEAT_WINDOW_MS = 60_000;
const recent = new Map<string, { until: number; repeats: number }>();

/** Writes one diagnostic as a log record; throws when it cannot. */
export type LogSink = (level: 'error' | 'warn' | 'info' | 'debug' | 'verbose', component: string, message: string) => void;
let sink: LogSink | undefined;
/** Set while a diagnostic is being logged: one raised by the logger itself goes to stderr. */
let inSink = false;

/** Routes diagnostics to otelkit's logger (undefined: back to stderr). */
export function setLogSink(next: LogSink | undefined): void {
  sink = next;
}

function line(level: 'error' | 'warn' | 'info' | 'debug' | 'verbose', args: unknown[]): void {
  // Component loggers pass their namespace first ("otelkit:apm"); the SDK's own calls do not.
  const source = typeof args[0] === 'string' && /^(otelkit|@opentelemetry)([:/]|$)/.test(args[0]) ? args.shift() : 'otelkit';
  // Secrets masked like every other sink (an error quoting a URL, a database error).
  let text = maskText(args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeJson(a))).join(' '));
  const key = `${source} ${level} ${text}`;
  const now = Date.now();
  const seen = recent.get(key);
  if (seen && now < seen.until) {
    seen.repeats++;
    return;
  }
  if (seen?.repeats) text += ` (repeated ${seen.repeats} times in the last minute)`;
  if (!seen && recent.size >= 200) recent.clear();
  recent.set(key, { until: now + REPEAT_WINDOW_MS, repeats: 0 });
  if (sink !== undefined && !inSink) {
    inSink = true;
    try {
      sink(level, String(source), text);
      return;
    } catch {
      // the logger cannot write: stderr below
    } finally {
      inSink = false;
    }
  }
  try {
    process.stderr.write(`${source} ${level === 'warn' ? 'warning' : level}: ${text}\n`);
  } catch {
    // stderr closed: nothing sensible left to do.
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const otelkitLogger: DiagLogger = {
  error: (...a) => line('error', a),
  warn: (...a) => line('warn', a),
  info: (...a) => line('info', a),
  debug: (...a) => line('debug', a),
  verbose: (...a) => line('verbose', a),
};

export function setupDiag(level: string): void {
  diag.setLogger(otelkitLogger, { logLevel: LEVELS[level] ?? DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/**
 * A component logger that never throws: an application may install its own diag logger
 * (diag.setLogger), and one that throws must not turn otelkit's report of a swallowed
 * error into an error thrown into the application.
 */
export function componentLogger(namespace: string): DiagLogger {
  const inner = diag.createComponentLogger({ namespace } as ComponentLoggerOptions);
  const safe = (level: keyof DiagLogger) => (message: string, ...args: unknown[]): void => {
    try {
      inner[level](maskText(message), ...args);
    } catch {
      // the application's diag logger failed; nothing more to report it with
    }
  };
  return { error: safe('error'), warn: safe('warn'), info: safe('info'), debug: safe('debug'), verbose: safe('verbose') };
}

/** A warning printed at most once per key for the life of the process. */
export function createWarnOnce(log: DiagLogger): (key: string, message: string) => void {
  const seen = new Set<string>();
  return (key, message) => {
    if (seen.has(key)) return;
    seen.add(key);
    log.warn(message);
  };
}
