/**
 * A minimal protobuf writer for OTLP: varints, fixed32/64, doubles, strings, bytes from hex,
 * and length-delimited submessages written in place: one byte is reserved for the length
 * (most attributes and values are under 128 bytes) and the body moves forward in the rare
 * case the length needs more. Short ASCII strings are copied in JavaScript, without a call
 * into the native buffer code. One scratch buffer is reused; finish() copies out the result.
 */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const TWO_32 = 4294967296;
const SLAB_BYTES = 64 * 1024;

/** A hex digit's value, or what the stock serializer's hexToBinary makes of another character. */
function digit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

export class ProtobufWriter {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  reset(): void {
    this.pos = 0;
  }

  finish(): Uint8Array {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  private slab = Buffer.allocUnsafeSlow(0);
  private slabPos = 0;
  /** The buffer keep() last copied into. */
  kept: Buffer = this.slab;

  /** How many bytes have been written since reset(). */
  get length(): number {
    return this.pos;
  }

  /**
   * Copies the bytes written, for keeping a while (a span waiting for its batch), into a
   * slab of this writer's and returns where they start in `kept`. Not into Node's shared
   * Buffer pool, where a kept slice holds the 8 KB the process allocated around it alive:
   * kept bytes hold only slabs of their own kind. Larger results get a buffer of their own.
   */
  keep(): number {
    const n = this.pos;
    if (n > SLAB_BYTES / 4) {
      this.kept = Buffer.allocUnsafeSlow(n);
      this.buf.copy(this.kept, 0, 0, n);
      return 0;
    }
    if (this.slabPos + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slabPos = 0;
    }
    const start = this.slabPos;
    this.buf.copy(this.slab, start, 0, n);
    this.slabPos = start + n;
    this.kept = this.slab;
    return start;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private rawVarint(value: number): void {
    // value is a non-negative integer below 2^53
    this.ensure(10);
    const buf = this.buf;
    while (value >= 0x80) {
      buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buf[this.pos++] = value;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  /** Scalar fields are skipped at their default value (proto3), unless `present` says a oneof holds it. */
  uint(field: number, value: number, present = false): void {
    if (value === 0 && !present) return;
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
  }

  /** int64 as a varint; negative values as 64-bit two's complement (ten bytes). */
  int(field: number, value: number, present = false): void {
    if (value === 0 && !present) return;
    this.tag(field, WIRE_VARINT);
    if (value >= 0) {
      this.rawVarint(value);
      return;
    }
    let big = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (big >= 0x80n) {
      this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buf[this.pos++] = Number(big);
  }

  bool(field: number, value: boolean, present = false): void {
    if (!value && !present) return;
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value ? 1 : 0);
  }

  fixed32(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    this.word(value);
  }

  double(field: number, value: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /**
   * An HrTime [seconds, nanoseconds] as fixed64 Unix nanoseconds, exactly: seconds × 1e9
   * passes 2^53, so it is built from 16-bit halves of the seconds.
   */
  time(field: number, [seconds, nanos]: readonly [number, number]): void {
    this.tag(field, WIRE_FIXED64);
    const hiSec = Math.floor(seconds / 65536);
    const loSec = seconds % 65536;
    const a = loSec * 1e9 + nanos; // < 2^47
    const b = hiSec * 1e9; // < 2^46, weighs 2^16
    const low = (b % 65536) * 65536 + a; // < 2^48
    const lowWord = low % TWO_32;
    const highWord = Math.floor(b / 65536) + Math.floor(low / TWO_32);
    this.ensure(8);
    this.word(lowWord);
    this.word(highWord);
  }

  /** Four little-endian bytes (Buffer#writeUInt32LE's argument checks cost more than the write). */
  private word(value: number): void {
    const buf = this.buf;
    const at = this.pos;
    buf[at] = value;
    buf[at + 1] = value >>> 8;
    buf[at + 2] = value >>> 16;
    buf[at + 3] = value >>> 24;
    this.pos = at + 4;
  }

  string(field: number, value: string | undefined, present = false): void {
    if (!value && !(present && value === '')) return;
    const s = value ?? '';
    this.tag(field, WIRE_LEN);
    if (s.length < 128 && this.asciiInline(s)) return;
    const length = Buffer.byteLength(s, 'utf8');
    this.rawVarint(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, length, 'utf8');
  }

  /** Writes length and bytes of a short string if it is all ASCII; false (nothing written) otherwise. */
  private asciiInline(s: string): boolean {
    const n = s.length;
    this.ensure(n + 1);
    const buf = this.buf;
    const start = this.pos + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[start + i] = c;
    }
    buf[this.pos] = n;
    this.pos = start + n;
    return true;
  }

  /**
   * Bytes given as a hex string (trace and span ids). Buffer#write stops at the first pair
   * that is not hex; such an id (an app's link, say) is read digit by digit as the stock
   * serializer reads it, so the message keeps the length it declares.
   */
  hexBytes(field: number, hex: string | undefined): void {
    if (!hex) return;
    const length = hex.length >> 1;
    this.tag(field, WIRE_LEN);
    this.rawVarint(length);
    this.ensure(length);
    const buf = this.buf;
    if (buf.write(hex, this.pos, length, 'hex') < length) {
      for (let i = 0, at = this.pos; i < length * 2; i += 2) buf[at++] = (digit(hex.charCodeAt(i)) << 4) | digit(hex.charCodeAt(i + 1));
    }
    this.pos += length;
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Bytes already encoded (whole fields, tags included), from[start, end), appended as they are. */
  raw(from: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    this.pos += from.copy(this.buf, this.pos, start, end);
  }

  /**
   * The body of the submessage begun at `at` and closed by end(), as a view into the scratch
   * buffer: valid until the next write.
   */
  bodyOf(at: number): Uint8Array {
    let start = at;
    while (this.buf[start] & 0x80) start++;
    return this.buf.subarray(start + 1, this.pos);
  }

  /** Starts a submessage; returns where its length goes. Close it with end(). */
  begin(field: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const bodyStart = at + 1;
    const length = this.pos - bodyStart;
    if (length < 0x80) {
      this.buf[at] = length;
      return;
    }
    let n = 0;
    for (let v = length; v > 0; v = Math.floor(v / 0x80)) n++;
    this.ensure(n - 1);
    this.buf.copyWithin(at + n, bodyStart, this.pos);
    this.pos += n - 1;
    let v = length;
    for (let i = 0; i < n; i++) {
      this.buf[at + i] = i < n - 1 ? (v % 0x80) | 0x80 : v;
      v = Math.floor(v / 0x80);
    }
  }
}
