/**
 * Frames on the channel between the processes of one service: a 4-byte big-endian length,
 * then that many bytes of JSON. A frame over MAX_FRAME_BYTES ends the connection (it can
 * only come from a broken peer), so what a reader buffers is bounded.
 */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

export function encode(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > MAX_FRAME_BYTES) throw new RangeError(`message of ${body.length} bytes is over the ${MAX_FRAME_BYTES}-byte frame limit`);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Collects chunks and returns the complete messages; throws on an oversized or malformed frame. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: unknown[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new RangeError(`frame of ${length} bytes is over the limit`);
      if (this.buffered < 4 + length) break;
      const frame = this.take(4 + length);
      out.push(JSON.parse(frame.toString('utf8', 4)));
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
