// Reading what an app logged: JSON lines from its stdout, and every line of a LOG_FILE
// directory, rotated and gzipped archives included.
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

/** Objects of the lines that are JSON objects. */
export function jsonLines(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // not a JSON line
    }
  }
  return out;
}

export function tempDir(prefix = 'otelkit-log-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Oldest first: app-2024-01-02.log, app-2024-01-02.1.log, app-2024-01-02.2.log… */
function rotationOrder(a, b) {
  const key = (name) => {
    const m = /-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\./.exec(name);
    return m ? [m[1], Number(m[2] ?? 0)] : [name, 0];
  };
  const [da, ia] = key(a.name);
  const [db, ib] = key(b.name);
  return da < db ? -1 : da > db ? 1 : ia - ib;
}

/** Files of a log directory, oldest first: { name, gz, magic, text } (audit file and symlink excluded). */
export function logFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.startsWith('.'))
    .sort(rotationOrder)
    .map((d) => {
      const buf = readFileSync(join(dir, d.name));
      const gz = d.name.endsWith('.gz');
      return { name: d.name, gz, magic: buf.subarray(0, 2).toString('hex'), text: gz ? gunzipSync(buf).toString('utf8') : buf.toString('utf8') };
    });
}

/** Everything written to a log directory, as one string. */
export function allLogText(dir) {
  return logFiles(dir).map((f) => f.text).join('');
}

/** Sends raw bytes of an HTTP/1.1 request and resolves with { status, headers, raw }. */
export function rawRequest(port, head) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [top] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = top.split('\r\n');
      const headers = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, raw });
    });
    socket.write(head);
  });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
