// A small RESP2 client for tests: binary safe, pipelined, over a unix socket or TCP.
//
// Reply mapping:
//   simple string  -> string          (e.g. 'OK', 'PONG', 'QUEUED')
//   error          -> RespError       (thrown by `command()`, returned in place by `commands()`)
//   integer        -> number          (bigint when outside Number's safe-integer range)
//   bulk string    -> Buffer          (null for the nil bulk `$-1`)
//   array          -> RespValue[]     (null for the nil array `*-1`)
import * as net from 'node:net';

export class RespError extends Error {
  /** The error code, i.e. the first word of the reply (`ERR`, `WRONGTYPE`, `LOADING`, ...). */
  readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
    this.code = message.split(' ', 1)[0] ?? '';
  }
}

export type RespValue = string | number | bigint | Buffer | null | RespError | RespValue[];

export type RespArg = string | Buffer | number;

/** Encode one command as a RESP2 array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');

/** Marker thrown internally when the buffer does not yet hold a whole reply. */
const INCOMPLETE = Symbol('incomplete');

/**
 * Parse one reply starting at `pos`. Returns the value and the position after it,
 * or INCOMPLETE when more bytes are needed. Throws on a protocol violation.
 */
export function parseReply(buf: Buffer, pos: number): { value: RespValue; end: number } | typeof INCOMPLETE {
  if (pos >= buf.length) return INCOMPLETE;
  const lineEnd = buf.indexOf(CRLF, pos);
  if (lineEnd < 0) return INCOMPLETE;
  const type = buf[pos];
  const line = buf.toString('latin1', pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case 0x2b: // '+'
      return { value: buf.toString('utf8', pos + 1, lineEnd), end: next };
    case 0x2d: // '-'
      return { value: new RespError(buf.toString('utf8', pos + 1, lineEnd)), end: next };
    case 0x3a: {
      // ':'
      const n = Number(line);
      if (!/^-?\d+$/.test(line)) throw new Error(`RESP protocol error: bad integer ${JSON.stringify(line)}`);
      return { value: Number.isSafeInteger(n) ? n : BigInt(line), end: next };
    }
    case 0x24: {
      // '$'
      const len = Number(line);
      if (!Number.isInteger(len) || len < -1) throw new Error(`RESP protocol error: bad bulk length ${JSON.stringify(line)}`);
      if (len === -1) return { value: null, end: next };
      if (buf.length < next + len + 2) return INCOMPLETE;
      if (buf[next + len] !== 0x0d || buf[next + len + 1] !== 0x0a) throw new Error('RESP protocol error: bulk string not terminated by CRLF');
      return { value: Buffer.from(buf.subarray(next, next + len)), end: next + len + 2 };
    }
    case 0x2a: {
      // '*'
      const count = Number(line);
      if (!Number.isInteger(count) || count < -1) throw new Error(`RESP protocol error: bad array length ${JSON.stringify(line)}`);
      if (count === -1) return { value: null, end: next };
      const items: RespValue[] = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = parseReply(buf, p);
        if (r === INCOMPLETE) return INCOMPLETE;
        items.push(r.value);
        p = r.end;
      }
      return { value: items, end: p };
    }
    default:
      throw new Error(`RESP protocol error: unexpected type byte 0x${(type ?? 0).toString(16)} at offset ${pos}`);
  }
}

export { INCOMPLETE };

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}

export interface RespClientOptions {
  /** Per-request timeout in ms (default 30 s); the connection is destroyed when it fires. */
  timeoutMs?: number;
}

/**
 * A pipelining RESP2 connection. Replies are matched to requests in order.
 * `command()` throws a RespError for an error reply; `commands()` returns errors in place.
 */
export class RespClient {
  private readonly socket: net.Socket;
  private readonly pending: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  private closedError: Error | null = null;
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | null = null;

  private constructor(socket: net.Socket, opts: RespClientOptions) {
    this.socket = socket;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connect to a unix socket path (or `{host, port}`); rejects on connection errors. */
  static connect(target: string | { host: string; port: number }, opts: RespClientOptions = {}): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const sock = typeof target === 'string' ? net.createConnection({ path: target }) : net.createConnection(target);
      const onErr = (e: Error): void => {
        sock.destroy();
        reject(e);
      };
      sock.once('error', onErr);
      sock.once('connect', () => {
        sock.off('error', onErr);
        sock.setNoDelay(true);
        sock.unref(); // idle connections never keep the process alive (ref'd while requests are pending)
        resolve(new RespClient(sock, opts));
      });
    });
  }

  /** Send one command; resolves with the reply, rejects with RespError on an error reply. */
  async command(...args: RespArg[]): Promise<RespValue> {
    const [reply] = await this.commands([args]);
    if (reply instanceof RespError) throw reply;
    return reply as RespValue;
  }

  /** Pipeline several commands in one write; replies (errors included, not thrown) in order. */
  commands(list: readonly (readonly RespArg[])[]): Promise<RespValue[]> {
    if (list.length === 0) return Promise.resolve([]);
    return this.sendRaw(Buffer.concat(list.map((c) => encodeCommand(c))), list.length);
  }

  /** Write raw bytes and collect `replyCount` replies (errors returned in place). */
  sendRaw(bytes: Buffer, replyCount: number): Promise<RespValue[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const promises: Promise<RespValue>[] = [];
    for (let i = 0; i < replyCount; i++) {
      promises.push(new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })));
    }
    this.armTimer();
    this.socket.write(bytes);
    return Promise.all(promises);
  }

  /**
   * Write a raw byte stream whose number of replies is unknown, followed by an ECHO marker
   * (the `redis-cli --pipe` trick), and resolve with every reply before the marker.
   */
  pipe(bytes: Buffer): Promise<RespValue[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const marker = Buffer.from(`rpi-pipe-marker-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    return new Promise((resolve, reject) => {
      const replies: RespValue[] = [];
      const take = (): void => {
        this.pending.push({
          resolve: (v) => {
            if (Buffer.isBuffer(v) && v.equals(marker)) {
              resolve(replies);
            } else {
              replies.push(v);
              take();
            }
          },
          reject: (e) => {
            const firstErr = replies.find((r): r is RespError => r instanceof RespError);
            const err = new Error(
              `pipe failed after ${replies.length} replies: ${e.message}` + (firstErr ? `; first error reply: ${firstErr.message}` : ''),
            ) as Error & { replies?: RespValue[] };
            err.replies = replies;
            reject(err);
          },
        });
      };
      take();
      this.armTimer();
      this.socket.write(Buffer.concat([bytes, encodeCommand(['ECHO', marker])]));
    });
  }

  /** Close the connection (pending requests are rejected). */
  close(): void {
    this.socket.destroy();
    this.fail(new Error('connection closed by client'));
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  private armTimer(): void {
    this.socket.ref();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pending.length > 0) {
        const e = new Error(`RESP request timed out after ${this.timeoutMs} ms`);
        this.socket.destroy(e);
        this.fail(e);
      }
    }, this.timeoutMs);
    this.timer.unref();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    try {
      while (this.pending.length > 0) {
        const r = parseReply(this.buf, pos);
        if (r === INCOMPLETE) break;
        pos = r.end;
        const p = this.pending.shift();
        p?.resolve(r.value);
      }
    } catch (e) {
      this.socket.destroy();
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    if (this.pending.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.socket.unref();
    } else if (pos > 0) {
      this.armTimer(); // progress was made: restart the inactivity timer
    }
  }

  private fail(e: Error): void {
    if (!this.closedError) this.closedError = e;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const err = this.closedError;
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}

/** Bulk/simple string reply as a UTF-8 string (throws for other reply types). */
export function asString(v: RespValue): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new Error(`expected a string reply, got ${describeReply(v)}`);
}

/** Integer reply as a number (throws for other reply types or unsafe integers). */
export function asInteger(v: RespValue): number {
  if (typeof v === 'number') return v;
  throw new Error(`expected an integer reply, got ${describeReply(v)}`);
}

/** Array reply (throws for other reply types, including nil). */
export function asArray(v: RespValue): RespValue[] {
  if (Array.isArray(v)) return v;
  throw new Error(`expected an array reply, got ${describeReply(v)}`);
}

export function describeReply(v: RespValue): string {
  if (v === null) return 'nil';
  if (v instanceof RespError) return `error ${JSON.stringify(v.message)}`;
  if (Buffer.isBuffer(v)) return `bulk(${v.length}) ${JSON.stringify(v.subarray(0, 40).toString('latin1'))}`;
  if (Array.isArray(v)) return `array(${v.length})`;
  return `${typeof v} ${String(v)}`;
}
