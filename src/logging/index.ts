/**
 * The logging feature: configures otelkit's shared winston logger from Config when otelkit
 * starts (console format, level, LOG_FILE, OTLP) and writes the HTTP access line.
 */
import type { Config } from '../config';
import type { Feature } from '../feature';
import type { ResponseInfo } from '../requests/http-server';
import { createAccessLog, levelEnabled } from './access';
import { configureLogging, drainLogging, lineSink, sharedLogger } from './shared';
import { setLogSink } from '../diag';

export function createLogging(config: Config): Feature {
  // Decided once: with the access log off, or its level below LOG_LEVEL, the response hook
  // is absent and costs nothing per request.
  const accessLevel = config.accessLog;
  const wantAccess = accessLevel !== 'off' && levelEnabled(config.logLevel, accessLevel);
  let access: ((info: ResponseInfo) => void) | undefined;
  return {
    onResponse: wantAccess ? (info) => access?.(info) : undefined,
    bind(running) {
      configureLogging({ config, service: running.service, sendsLogs: running.sendsLogs, file: true });
      // otelkit's own messages (config, N+1, health, export, ports) become log records;
      // the logging transports' own troubles stay on stderr (they are about this logger).
      setLogSink((level, component, message) => {
        if (component.startsWith('otelkit:logging')) throw new Error('not through the logger');
        sharedLogger().log({ level, message, component });
      });
      if (wantAccess) access = createAccessLog(accessLevel, running.service, lineSink(config));
    },
    async shutdown() {
      await drainLogging();
      setLogSink(undefined);
    },
  };
}
