// A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can take down and
// bring back on the same port, without touching the server itself. It counts the
// connections it accepted and, for PostgreSQL and Redis, the statements and commands the
// clients sent through it: what the server really saw.
import net from 'node:net';

/** PostgreSQL frontend messages: the startup packet, then type byte + int32 length. Counts Q and E (one per query). */
function pgCounter(onQuery) {
  let buf = Buffer.alloc(0);
  let started = false;
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!started) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        // SSLRequest / GSSENCRequest come before the real startup packet.
        if (code !== 80877103 && code !== 80877104) started = true;
        continue;
      }
      if (buf.length < 5) return;
      const type = String.fromCharCode(buf[0]);
      const len = buf.readInt32BE(1);
      if (buf.length < len + 1) return;
      const body = buf.subarray(5, len + 1);
      if (type === 'Q') onQuery(body.toString('utf8', 0, body.length - 1));
      if (type === 'P') {
        const nameEnd = body.indexOf(0);
        onQuery.parsed = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
      }
      if (type === 'E') onQuery(onQuery.parsed ?? '(prepared)');
      buf = buf.subarray(len + 1);
    }
  };
}

/** RESP from a client: arrays of bulk strings, one per command. */
function redisCounter(onCommand) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      let at = 0;
      const line = () => {
        const nl = buf.indexOf('\r\n', at);
        if (nl === -1) return undefined;
        const text = buf.toString('latin1', at, nl);
        at = nl + 2;
        return text;
      };
      const head = line();
      if (head === undefined || !head.startsWith('*')) return;
      const n = Number(head.slice(1));
      const args = [];
      for (let i = 0; i < n; i++) {
        const size = line();
        if (size === undefined) return;
        const len = Number(size.slice(1));
        if (buf.length < at + len + 2) return;
        args.push(buf.toString('utf8', at, at + len));
        at += len + 2;
      }
      buf = buf.subarray(at);
      onCommand(args);
    }
  };
}

/**
 * @param {{ targetPort: number, targetHost?: string, protocol?: 'pg' | 'redis', port?: number }} options
 */
export async function startProxy({ targetPort, targetHost = '127.0.0.1', protocol, port = 0 }) {
  const pairs = new Set();
  const stats = { connections: 0, statements: [], commands: [] };
  let server;

  const onConnection = (client) => {
    stats.connections++;
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const count = protocol === 'pg' ? pgCounter((q) => stats.statements.push(q))
      : protocol === 'redis' ? redisCounter((args) => stats.commands.push(args.map((a) => a.slice(0, 60)).join(' ')))
        : undefined;
    client.on('data', (d) => {
      try {
        count?.(d);
      } catch {
        // counting is best effort; the bytes still go through
      }
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  };

  const listen = (p) => new Promise((resolve, reject) => {
    server = net.createServer(onConnection);
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => resolve(server.address().port));
  });
  const boundPort = await listen(port);

  return {
    port: boundPort,
    stats,
    reset() {
      stats.connections = 0;
      stats.statements = [];
      stats.commands = [];
    },
    /** Refuses new connections and cuts the open ones, as a server going away does. */
    down() {
      return new Promise((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        pairs.clear();
        server.close(() => resolve());
      });
    },
    /** Accepts connections again on the same port. */
    async up() {
      await listen(boundPort);
    },
    close() {
      return this.down().catch(() => undefined);
    },
  };
}
