/**
 * RecordIO decoding for the SUBSCRIBE stream (shared/reference/mesos.md §1): each record is
 * `<decimal byte length>\n<exactly that many bytes>`, with no separator after the body.
 *
 * Works on Buffers only: the length counts bytes, so multi-byte UTF-8 bodies are never measured
 * as strings. Chunk boundaries are arbitrary; a record, or its length prefix, may be split across
 * any number of chunks, and one chunk may hold many records.
 *
 * A malformed stream (empty, zero, non-numeric, over-long or absurd length) makes `push` throw a
 * `RecordIOError`; the decoder is then poisoned until `reset()`. The caller drops the connection
 * and re-subscribes; nothing is thrown asynchronously.
 */

export class RecordIOError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordIOError';
  }
}

export interface RecordIODecoderOptions {
  /** Largest record accepted, in bytes (default 64 MiB). Anything larger is treated as corruption. */
  maxRecordBytes?: number;
}

/** Digits allowed in a length prefix: a uint64 has at most 20. */
const MAX_PREFIX_DIGITS = 20;
const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export class RecordIODecoder {
  private readonly maxRecordBytes: number;
  /** 'length': reading the decimal prefix; 'body': collecting `expected` bytes. */
  private state: 'length' | 'body' = 'length';
  private prefix = ''; // digits seen so far (ASCII only, so a string is exact)
  private expected = 0;
  private parts: Buffer[] = [];
  private collected = 0;
  private failure: RecordIOError | null = null;

  constructor(options: RecordIODecoderOptions = {}) {
    this.maxRecordBytes = options.maxRecordBytes ?? 64 * 1024 * 1024;
  }

  /** Feeds one chunk; returns the records it completed, in order. Throws RecordIOError on corruption. */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failure) throw this.failure;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'length') {
        const byte = buf[i++];
        if (byte === NEWLINE) {
          this.beginBody();
        } else if (byte >= DIGIT_0 && byte <= DIGIT_9) {
          if (this.prefix.length >= MAX_PREFIX_DIGITS) this.fail(`record length prefix longer than ${MAX_PREFIX_DIGITS} digits`);
          this.prefix += String.fromCharCode(byte);
        } else {
          this.fail(`unexpected byte 0x${byte.toString(16).padStart(2, '0')} in record length prefix`);
        }
      } else {
        const need = this.expected - this.collected;
        const take = Math.min(need, buf.length - i);
        // Copy: the caller may reuse its chunk buffers.
        this.parts.push(Buffer.from(buf.subarray(i, i + take)));
        this.collected += take;
        i += take;
        if (this.collected === this.expected) {
          out.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.expected));
          this.parts = [];
          this.collected = 0;
          this.expected = 0;
          this.state = 'length';
        }
      }
    }
    return out;
  }

  /** True when no partial record is buffered (a clean place for a stream to end). */
  get idle(): boolean {
    return !this.failure && this.state === 'length' && this.prefix === '';
  }

  /** Bytes of the partial record buffered so far (prefix digits not counted). */
  get bufferedBytes(): number {
    return this.collected;
  }

  /** Forgets everything, including a failure; use for a new connection. */
  reset(): void {
    this.state = 'length';
    this.prefix = '';
    this.expected = 0;
    this.parts = [];
    this.collected = 0;
    this.failure = null;
  }

  private beginBody(): void {
    if (this.prefix === '') this.fail('empty record length prefix');
    const n = Number(this.prefix);
    if (!Number.isSafeInteger(n)) this.fail(`record length ${this.prefix} is not a safe integer`);
    if (n === 0) this.fail('record length 0 (RecordIO lengths are never 0)');
    if (n > this.maxRecordBytes) this.fail(`record length ${n} exceeds the limit of ${this.maxRecordBytes} bytes`);
    this.prefix = '';
    this.expected = n;
    this.collected = 0;
    this.parts = [];
    this.state = 'body';
  }

  private fail(message: string): never {
    this.failure = new RecordIOError(message);
    throw this.failure;
  }
}

/** Frames one record: `<byte length>\n<payload>`. */
export function encodeRecord(payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}
