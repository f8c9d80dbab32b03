/**
 * Answers serialised once per change of what they show. A store that counts its changes
 * (a version) lets a route keep the JSON it last built, as bytes, and send them again
 * until the store changes: a scraper reading the same page in a loop costs a socket
 * write, not a JSON build. Bounded: at most MAX_ENTRIES query variants and MAX_BYTES of
 * JSON are kept (the oldest go first; the newest is always kept), all dropped at the next
 * version.
 */
import type { Reply } from './router';

export const MAX_ENTRIES = 8;
export const MAX_BYTES = 4 * 1024 * 1024;

export interface JsonCache {
  /** The JSON reply for `key` at `version`, built by `build` when not already kept. */
  reply(version: number, key: string, build: () => unknown): Reply;
}

export function createJsonCache(): JsonCache {
  let current = -1;
  let bytes = 0;
  const replies = new Map<string, Reply & { readonly encoded: Buffer }>();
  return {
    reply(version, key, build) {
      if (version !== current) {
        replies.clear();
        bytes = 0;
        current = version;
      }
      let reply = replies.get(key);
      if (reply === undefined) {
        const body = build();
        reply = { status: 200, body, encoded: Buffer.from(JSON.stringify(body)) };
        for (const [oldest, old] of replies) {
          if (replies.size < MAX_ENTRIES && bytes + reply.encoded.length <= MAX_BYTES) break;
          replies.delete(oldest);
          bytes -= old.encoded.length;
        }
        replies.set(key, reply);
        bytes += reply.encoded.length;
      }
      return reply;
    },
  };
}
