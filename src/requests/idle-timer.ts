/**
 * A kept-alive connection's idle timer, armed outside the request that just finished.
 *
 * Node arms the timer in the 'finish' handler of each response (`socket.setTimeout` with
 * the server's keep-alive timeout), inside the finishing request's async context. The timer
 * keeps that context (the request's span, its ids) alive until the connection's next
 * request, so under load the young generation copies one such context per connection at
 * every scavenge, and when the timer fires the timeout runs in the last request's trace.
 *
 * Node publishes `http.server.response.finish` just before that call, on the same stack:
 * the server instrumentation marks the socket there (armFor) when Node is about to make that
 * call, and the next `Socket#setTimeout` of that socket, without a callback, runs in the
 * context otelkit started in. The mark is dropped when the next request starts; any other
 * call is Node's own, unchanged.
 */
import { AsyncResource } from 'node:async_hooks';
import { Socket } from 'node:net';

type SetTimeout = (this: Socket, msecs: number, callback?: () => void) => Socket;

export interface IdleTimerPatch {
  /** The next setTimeout(msecs) of this socket runs outside the current request. */
  armFor(socket: Socket): void;
  /** Forgets a mark Node did not use (a request started since). */
  disarm(): void;
  restore(): void;
}

export function patchIdleTimer(): IdleTimerPatch {
  const proto = Socket.prototype as unknown as { setTimeout: SetTimeout };
  const original = proto.setTimeout;
  let armed: Socket | undefined;
  // Made at start: its scope is the context otelkit started in.
  const outside = new AsyncResource('otelkit.idle-timer');
  proto.setTimeout = function setTimeout(this: Socket, msecs: number, callback?: () => void): Socket {
    if (this === armed) {
      armed = undefined;
      if (callback === undefined) return outside.runInAsyncScope(original, this, msecs);
    }
    return original.apply(this, arguments as unknown as Parameters<SetTimeout>);
  };
  return {
    armFor(socket) {
      armed = socket;
    },
    disarm() {
      armed = undefined;
    },
    restore() {
      if (proto.setTimeout !== original) proto.setTimeout = original;
      armed = undefined;
    },
  };
}
