/**
 * otelkit's one winston logger. It exists as soon as anything asks for it — with console
 * defaults from the environment, so `import { logger } from 'otelkit'` works with the SDK
 * disabled — and start() reconfigures the same instance (file, OTLP, service name).
 *
 * winston is required lazily, on first use: under the preload that is after the SDK has
 * enabled @opentelemetry/instrumentation-winston, which can only patch a winston loaded
 * after it (it then adds trace ids and, with OTLP log export on, its OTLP transport).
 * start() keeps the configuration and builds the logger with it when the first record is
 * logged (or at once with LOG_FILE, whose transport is winston's): the access line goes to
 * stdout without winston, so a service that logs nothing else does not load it at start.
 */
import type { Logger } from 'winston';
import type TransportStream from 'winston-transport';
import { loadConfig, type Config } from '../config';
import { parseSize } from '../config-parse';
import { readAppInfo } from '../app-info';
import { parseResourceAttributes } from '../resource';
import { componentLogger, createWarnOnce } from '../diag';
import { installContextCapture } from './context';
import { jsonFormat, otlpFormat, prepare, prepareFormat, textFormat } from './format';
import { levelEnabled } from './access';
import { createFileTransport, type FileTransport } from './file';
import { createConsoleTransport, StdoutWriter } from './console';

export interface LoggingSetup {
  readonly config: Config;
  readonly service: string;
  /** Add the OpenTelemetry transport (OTLP log export is on). */
  readonly sendsLogs: boolean;
  /** Open LOG_FILE (false for the defaults used before start()). */
  readonly file: boolean;
}

const diagLog = componentLogger('otelkit:logging');
const kShared = Symbol.for('otelkit.logger');
type Global = typeof globalThis & { [kShared]?: Logger };
let file: FileTransport | undefined;
let writer: StdoutWriter | undefined;
/** The configuration start() gave before the logger was first needed. */
let pending: LoggingSetup | undefined;

/** The shared logger, created on first use with start()'s configuration, else console defaults. */
export function sharedLogger(): Logger {
  const g = globalThis as Global;
  if (g[kShared] === undefined) {
    const setup = pending ?? consoleDefaults();
    pending = undefined;
    g[kShared] = build(setup);
  }
  return g[kShared];
}

/**
 * Applies Config to the shared logger: now if it exists or LOG_FILE is set, else when it
 * is first used. Never throws.
 */
export function configureLogging(setup: LoggingSetup): void {
  const g = globalThis as Global;
  if (g[kShared] !== undefined) apply(g[kShared], setup);
  else if (opensFile(setup)) g[kShared] = build(setup);
  else pending = setup;
}

/** LOG_FILE is written by winston's transport: with it the logger is built at start. */
function opensFile(setup: LoggingSetup): boolean {
  return setup.file && setup.config.logFile !== '';
}

type Level = 'error' | 'warn' | 'info' | 'debug';

/**
 * One record logged by otelkit outside any request (the start-up self-report). While the
 * shared logger has not been built and nothing but the console takes lines (no LOG_FILE, no
 * OTLP log export), the record is rendered here as the console transport would render it
 * and written to stdout, so a service that logs nothing else still does not load winston;
 * otherwise it goes through the shared logger. Never throws.
 */
export function logRecord(level: Level, message: string, fields: Record<string, unknown>): void {
  try {
    const g = globalThis as Global;
    const setup = g[kShared] === undefined ? pending : undefined;
    if (setup === undefined || setup.sendsLogs || opensFile(setup)) {
      sharedLogger().log(level, message, fields);
      return;
    }
    if (!levelEnabled(setup.config.logLevel, level)) return;
    const record = prepare({ ...fields, level, message }, setup.service);
    const render = setup.config.jsonLogs ? jsonFormat() : textFormat(process.stdout.isTTY === true);
    const rendered = render.transform(record as never) as unknown as Record<symbol, unknown>;
    stdoutWriter().line(String(rendered[MESSAGE_KEY]));
  } catch (err) {
    warnOnce('log-record', `otelkit logger: ${(err as Error).message}`);
  }
}

/** The console as the environment sets it, for a logger used before (or without) start(). */
function consoleDefaults(): LoggingSetup {
  const config = loadConfig(process.env, () => undefined);
  return { config, service: serviceName(config), sendsLogs: false, file: false };
}

/** stdout, one writer per process (src/logging/console.ts). */
function stdoutWriter(): StdoutWriter {
  writer ??= new StdoutWriter(warnOnce);
  return writer;
}

/**
 * The console and LOG_FILE transports, to hand finished lines to directly (the access
 * line: access.ts). Lines written this way are not OTLP log records: over OTLP, a request
 * is its server span, which carries everything the line says.
 */
export interface LineSink {
  readonly json: boolean;
  readonly colour: boolean;
  write(consoleLine: string, fileLine: string | undefined): void;
  readonly toFile: boolean;
}

const MESSAGE_KEY = Symbol.for('message');
const noop = () => undefined;

export function lineSink(config: Config): LineSink {
  // The writer is made here, at start, outside any request: it schedules its flushes from
  // the context it was made in (console.ts).
  const out = stdoutWriter();
  return {
    json: config.jsonLogs,
    colour: !config.jsonLogs && process.stdout.isTTY === true,
    get toFile() {
      return file !== undefined;
    },
    write(consoleLine, fileLine) {
      out.append(consoleLine);
      if (fileLine !== undefined) file?.log({ [MESSAGE_KEY]: fileLine }, noop);
    },
  };
}

/** Waits for stdout and LOG_FILE to have everything logged so far. */
export async function drainLogging(): Promise<void> {
  await Promise.all([writer?.drain(), file?.drain()]);
}

function build(setup: LoggingSetup): Logger {
  const winston = require('winston') as typeof import('winston');
  const logger = winston.createLogger({ levels: winston.config.npm.levels, level: setup.config.logLevel, transports: [] });
  logger.on('error', (err: Error) => warnOnce('logger-error', `otelkit logger: ${err.message}`));
  installContextCapture(logger);
  apply(logger, setup);
  return logger;
}

const warnOnce = createWarnOnce(diagLog);

function apply(logger: Logger, setup: LoggingSetup): void {
  const winston = require('winston') as typeof import('winston');
  const { config } = setup;
  const transports: TransportStream[] = [createConsoleTransport(config.jsonLogs ? jsonFormat() : textFormat(process.stdout.isTTY === true), stdoutWriter())];
  const previous = file;
  file = undefined;
  let fileError: Error | undefined;
  if (setup.file && config.logFile) {
    const created = createFileTransport({
      file: config.logFile,
      maxSizeBytes: parseSize(config.logMaxSize) ?? 500 * 1024 * 1024,
      maxFiles: config.logMaxFiles,
      zip: config.logZipArchives,
      format: jsonFormat(),
      onFailure: (err) => dropFile(logger, created as FileTransport, err),
      onWarning: (key, message) => warnOnce(key, message),
    });
    if (created instanceof Error) fileError = created;
    else transports.push((file = created));
  }
  logger.configure({
    levels: winston.config.npm.levels,
    level: config.logLevel,
    format: winston.format.combine(winston.format.splat(), prepareFormat(setup.service)),
    transports,
  });
  previous?.close();
  const isOtlp = (t: TransportStream) => t.constructor.name === 'OpenTelemetryTransportV3';
  if (setup.sendsLogs && !logger.transports.some(isOtlp)) {
    // winston was loaded before the instrumentation could patch it: add its transport here.
    const { OpenTelemetryTransportV3 } = require('@opentelemetry/winston-transport') as typeof import('@opentelemetry/winston-transport');
    logger.add(new OpenTelemetryTransportV3());
  }
  // OTLP records carry their own time and the service in the resource.
  for (const t of logger.transports) if (isOtlp(t)) t.format = otlpFormat();
  if (fileError) warnFileFailure(logger, config.logFile, fileError);
}

function dropFile(logger: Logger, transport: FileTransport, err: Error): void {
  logger.remove(transport);
  if (file === transport) file = undefined;
  warnFileFailure(logger, transport.file, err);
  transport.close();
}

function warnFileFailure(logger: Logger, path: string, err: Error): void {
  const code = (err as NodeJS.ErrnoException).code;
  logger.warn(`LOG_FILE ${path} cannot be written (${code ?? err.message}); logging goes on to the console only.`, {
    component: 'otelkit',
    log_file: path,
  });
}

function serviceName(config: Config): string {
  const fromAttributes = parseResourceAttributes(config.resourceAttributes)['service.name'];
  return config.serviceName || (typeof fromAttributes === 'string' ? fromAttributes : '') || readAppInfo().name || 'unknown_service:node';
}
