/** The OpenTelemetry resource: service identity, instance, host and process. */
import { randomUUID } from 'node:crypto';
import { arch, hostname } from 'node:os';
import { basename } from 'node:path';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { Attributes } from '@opentelemetry/api';
import type { Config } from './config';
import type { AppInfo } from './app-info';
import { clusterWorkerId } from './process-role';

export function buildResource(config: Config, app: AppInfo, added: Attributes = {}): Resource {
  const fromEnv = { ...added, ...parseResourceAttributes(config.resourceAttributes) };
  const attributes: Attributes = {
    // host and process, read directly: the stock process detector also records the command
    // line, which can carry secrets, so it is not used.
    'host.name': hostname(),
    'host.arch': arch() === 'x64' ? 'amd64' : arch(),
    'process.pid': process.pid,
    'process.executable.name': basename(process.execPath),
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'deployment.environment.name': config.nodeEnv,
    ...fromEnv,
    'service.name': config.serviceName || (fromEnv['service.name'] as string) || app.name || 'unknown_service:node',
    'service.instance.id': instanceId(fromEnv['service.instance.id']),
  };
  if (app.version && !fromEnv['service.version']) attributes['service.version'] = app.version;
  return defaultResource().merge(resourceFromAttributes(attributes));
}

/**
 * A random id per process; one given in the environment is shared by every worker of a
 * cluster, so a worker adds its cluster worker id to it (each process exports its own
 * series over OTLP, and a shared id would make them collide).
 */
function instanceId(given: unknown): string {
  if (typeof given !== 'string' || given === '') return randomUUID();
  const worker = clusterWorkerId();
  return worker === undefined ? given : `${given}-${worker}`;
}

/** OTEL_RESOURCE_ATTRIBUTES: key1=value1,key2=value2 with percent-encoded values. */
export function parseResourceAttributes(raw: string): Attributes {
  const out: Attributes = {};
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value
    }
    if (key) out[key] = value;
  }
  return out;
}
