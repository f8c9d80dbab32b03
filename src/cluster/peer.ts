/**
 * One end of a connection between two processes of the service: requests with ids and a
 * deadline each, their answers, and one-way messages. Never keeps the process alive (the
 * socket is unref'd) and never throws into its caller: a request that cannot be answered
 * rejects, a broken connection closes and rejects everything pending.
 */
import type { Socket } from 'node:net';
import { encode, FrameReader } from './wire';

/** Requests in flight per connection at most; past it a request fails at once. */
export const MAX_PENDING = 64;

export interface Message {
  readonly t: string;
  readonly [field: string]: unknown;
}

export type RequestHandler = (op: string, args: Readonly<Record<string, unknown>>) => Promise<unknown> | unknown;

export interface Peer {
  request(op: string, args: Readonly<Record<string, unknown>>, timeoutMs: number): Promise<unknown>;
  send(message: Message): void;
  close(): void;
  readonly isClosed: boolean;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export function createPeer(socket: Socket, onRequest: RequestHandler, onMessage: (m: Message) => void, onClose: () => void): Peer {
  const reader = new FrameReader();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  socket.unref();
  socket.setNoDelay(true);

  const send = (message: Message) => {
    if (closed) return;
    try {
      socket.write(encode(message));
    } catch {
      close();
    }
  };
  function close(): void {
    if (closed) return;
    closed = true;
    socket.destroy();
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('connection closed'));
    }
    pending.clear();
    onClose();
  }
  const answer = (id: unknown, op: string, args: Record<string, unknown>) => {
    new Promise((resolve) => resolve(onRequest(op, args)))
      .then((body) => send({ t: 'res', id, ok: true, body }))
      .catch((err: unknown) => send({ t: 'res', id, ok: false, error: err instanceof Error ? err.message : String(err) }));
  };
  const dispatch = (raw: unknown) => {
    if (raw === null || typeof raw !== 'object' || typeof (raw as Message).t !== 'string') return;
    const m = raw as Message;
    if (m.t === 'req') return answer(m.id, String(m.op), (m.args ?? {}) as Record<string, unknown>);
    if (m.t === 'res') {
      const p = pending.get(m.id as number);
      if (p === undefined) return; // answered after its deadline
      pending.delete(m.id as number);
      clearTimeout(p.timer);
      return m.ok === true ? p.resolve(m.body) : p.reject(new Error(String(m.error)));
    }
    onMessage(m);
  };

  socket.on('data', (chunk: Buffer) => {
    try {
      for (const m of reader.push(chunk)) dispatch(m);
    } catch {
      close();
    }
  });
  socket.on('error', () => close());
  socket.on('close', () => close());

  return {
    get isClosed() {
      return closed;
    },
    send,
    close,
    request(op, args, timeoutMs) {
      if (closed) return Promise.reject(new Error('connection closed'));
      if (pending.size >= MAX_PENDING) return Promise.reject(new Error('too many requests in flight'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        send({ t: 'req', id, op, args });
      });
    },
  };
}
