/**
 * The application's own port always wins. When the application starts listening on the
 * port an otelkit server holds (an app that serves on 9464 itself), otelkit closes its
 * server first — Node announces every listen on the `net.server.listen` tracing channel
 * before it binds — so the application binds as it would without otelkit, and one
 * warning says where the admin endpoints went.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:net';
import { kOtelkitServer } from '../symbols';

const CHANNEL = 'tracing:net.server.listen:asyncStart';

interface ListenMessage {
  readonly server?: Server & { [kOtelkitServer]?: boolean };
  readonly options?: { readonly port?: unknown };
}

/** Calls `giveWay` (once) when another server starts to listen on `port`; returns the unsubscribe. */
export function giveWayOnListen(port: () => number | undefined, giveWay: () => void): () => void {
  let done = false;
  const onListen = (message: unknown) => {
    const { server, options } = message as ListenMessage;
    if (done || server?.[kOtelkitServer] || options?.port === undefined) return;
    const ours = port();
    if (ours === undefined || ours === 0 || Number(options.port) !== ours) return;
    done = true;
    giveWay();
  };
  subscribe(CHANNEL, onListen);
  return () => unsubscribe(CHANNEL, onListen);
}
