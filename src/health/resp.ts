/**
 * A minimal Redis PING over node:net / node:tls (RESP), used when the application has no
 * ioredis: AUTH when the URL carries credentials, then PING, then close. Nothing else of
 * the protocol is needed to know that Redis answers.
 */
import { connect as netConnect, type Socket } from 'node:net';

function command(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}

/** Resolves when Redis answered +PONG; rejects with Redis's error or the socket's. Caller bounds the time. */
export function respPing(url: string, timeoutMs: number): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || 6379);
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const commands: string[] = [];
  if (password) commands.push(user ? command('AUTH', user, password) : command('AUTH', password));
  commands.push(command('PING'));

  return new Promise<void>((resolve, reject) => {
    // node:tls is loaded only for rediss:// (it costs start-up time for everyone else).
    const socket: Socket = u.protocol === 'rediss:'
      ? (require('node:tls') as typeof import('node:tls')).connect({ host, port, servername: host })
      : netConnect({ host, port });
    socket.setTimeout(timeoutMs);
    let buffer = '';
    let replies = 0;
    const finish = (err?: Error) => {
      socket.removeAllListeners('data');
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write(commands.join('')));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (buffer.length > 4096) return finish(new Error('unexpected reply from Redis'));
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (line.startsWith('-')) return finish(new Error(line.slice(1, 200)));
        if (++replies === commands.length) return finish(line === '+PONG' ? undefined : new Error(`unexpected reply ${JSON.stringify(line.slice(0, 40))}`));
      }
    });
    socket.once('timeout', () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (err) => finish(err));
    socket.once('close', () => finish(new Error('connection closed')));
  });
}
