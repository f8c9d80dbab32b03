/**
 * Trace and span ids cut from a pool of random hex. The SDK's RandomIdGenerator writes
 * Math.random() words into a buffer and hex-encodes it for every id, a call into C++ each
 * time; here one crypto.randomFillSync + one hex encoding serve ~170 spans, and an id is a
 * slice of that string (V8 shares the characters, nothing is copied).
 */
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

const POOL_BYTES = 4096;

export class PooledIdGenerator implements IdGenerator {
  private readonly bytes = Buffer.allocUnsafe(POOL_BYTES);
  private hex = '';
  private offset = 0;

  /** 32 lowercase hex characters, never all zeros (W3C Trace Context). */
  generateTraceId(): string {
    return this.take(32);
  }

  /** 16 lowercase hex characters, never all zeros. */
  generateSpanId(): string {
    return this.take(16);
  }

  private take(length: number): string {
    for (;;) {
      if (this.offset + length > this.hex.length) this.refill();
      const id = this.hex.slice(this.offset, this.offset + length);
      this.offset += length;
      if (id.charCodeAt(0) !== 48 || !ALL_ZEROS.test(id)) return id;
    }
  }

  private refill(): void {
    randomFillSync(this.bytes);
    this.hex = this.bytes.toString('hex');
    this.offset = 0;
  }
}

const ALL_ZEROS = /^0+$/;
