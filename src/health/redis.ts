/**
 * The Redis check: a real PING against REDIS_URL, through the application's ioredis when
 * it has one (a short-lived client: no reconnects, no offline queue), otherwise a minimal
 * RESP PING over node:net (resp.ts). latency_ms covers connecting and the PING.
 */
import { maskUrl } from './mask';
import { requireFromApp } from './app-require';
import { respPing } from './resp';
import { errorText } from './run';
import type { Probe } from './database';
import type { CheckResult } from './types';

interface IORedisClient {
  connect(): Promise<void>;
  ping(): Promise<string>;
  disconnect(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}
type IORedisCtor = new (url: string, options: Record<string, unknown>) => IORedisClient;

function loadIORedis(appDir: string): IORedisCtor | undefined {
  const mod = requireFromApp<unknown>(appDir, 'ioredis');
  const ctor = typeof mod === 'function' ? mod : (mod as { default?: unknown } | undefined)?.default;
  return typeof ctor === 'function' ? (ctor as IORedisCtor) : undefined;
}

async function ioredisPing(Redis: IORedisCtor, url: string, timeoutMs: number): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    enableReadyCheck: false,
  });
  // ioredis rejects with a bare "Connection is closed."; the socket's error says why.
  let socketError: Error | undefined;
  client.on('error', (err) => {
    socketError ??= err;
  });
  try {
    await client.connect();
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`unexpected reply ${JSON.stringify(String(reply).slice(0, 40))}`);
  } catch (err) {
    throw socketError ?? err;
  } finally {
    client.disconnect();
  }
}

export function createRedisProbe(url: string, appDir: string, timeoutMs: number): Probe {
  const target = url ? maskUrl(url) : undefined;
  let client: 'ioredis' | 'resp' | undefined;
  let Redis: IORedisCtor | undefined;
  return {
    name: 'redis',
    timed: true,
    critical: url !== '',
    async run(): Promise<CheckResult> {
      if (!url) return { status: 'not_configured' };
      if (client === undefined) {
        Redis = loadIORedis(appDir);
        client = Redis ? 'ioredis' : 'resp';
      }
      try {
        await (Redis ? ioredisPing(Redis, url, timeoutMs) : respPing(url, timeoutMs));
        return { status: 'ok', client, target };
      } catch (err) {
        return { status: 'down', error: errorText(err), client, target };
      }
    },
    shutdown: async () => undefined,
  };
}
