/**
 * Encoded attribute pairs, remembered. Most of a span's attributes repeat from span to span
 * (http.request.method=GET, db.system.name=postgresql, server.port=5432, the route, the
 * normalised statement), and writing one pair byte by byte costs more than copying the bytes
 * it took last time. A pair is remembered by key and then by value (strings, numbers and
 * booleans: arrays are objects and never match). Bounded three ways so that values that
 * never repeat (request ids, paths with ids in them) cost one lookup and no memory growth:
 * at most MAX_KEYS keys, MAX_VALUES values per key, MAX_BYTES bytes per pair.
 */
import type { AttributeValue } from '@opentelemetry/api';
import type { ProtobufWriter } from './protobuf-writer';

const MAX_KEYS = 256;
const MAX_VALUES = 16;
const MAX_BYTES = 256;

type Remembered = string | number | boolean;

/** The encoded KeyValue message bodies remembered under one key, by value. */
export class KeyPairs {
  private readonly byValue = new Map<Remembered, Uint8Array>();

  get(value: AttributeValue): Uint8Array | undefined {
    return this.byValue.get(value as Remembered);
  }

  /**
   * Remembers the pair just written as the submessage begun at `at` (a copy of its body),
   * while there is room for it.
   */
  remember(value: AttributeValue, writer: ProtobufWriter, at: number): void {
    if (value === undefined || value === null || typeof value === 'object' || this.byValue.size >= MAX_VALUES) return;
    const body = writer.bodyOf(at);
    if (body.length <= MAX_BYTES) this.byValue.set(value as Remembered, new Uint8Array(body));
  }
}

export class KeyValueCache {
  private readonly byKey = new Map<string, KeyPairs>();

  /** The pairs remembered under `key`; undefined for a new key once MAX_KEYS are kept. */
  pairsOf(key: string): KeyPairs | undefined {
    let pairs = this.byKey.get(key);
    if (pairs === undefined && this.byKey.size < MAX_KEYS) this.byKey.set(key, (pairs = new KeyPairs()));
    return pairs;
  }
}
