import type { Socket } from 'node:net';
import type { Clock } from '../../../core/clock/Clock.js';
import { LineFramer } from './framing.js';
import { parseEaLine } from './lines.js';
import type { EaMessage } from './schema.js';

const SAMPLE = 256;

/** What one terminal connection reports to the bridge. */
export interface LinkHandler {
  /** A line arrived (valid or not): the link is alive. */
  line(link: Mt5Link): void;
  /** A valid message, in order, `seq` rising, nothing but `hb` before `hello`. */
  message(link: Mt5Link, msg: EaMessage, line: string): void;
  /** A malformed line was dropped. */
  drop(link: Mt5Link, reason: string, sample: string): void;
  /** The socket closed; `error` when it failed. */
  closed(link: Mt5Link, error: string | null): void;
}

/**
 * One TCP connection from a terminal: NDJSON framing with a line cap, every
 * line validated (`parseEaLine`), `seq` required to rise, messages before
 * `hello` refused; writes one JSON object per line with its own `seq`.
 */
export class Mt5Link {
  /** The terminal said hello on this connection. */
  hello = false;
  /** Monotonic time of the last line received. */
  lastRx: number;
  private rxSeq = -1;
  private txSeq = 0;
  private error: string | null = null;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly clock: Clock,
    maxLineChars: number,
    private readonly h: LinkHandler,
  ) {
    this.lastRx = clock.monotonic();
    socket.setNoDelay(true);
    const framer = new LineFramer(maxLineChars);
    socket.on('data', (chunk: Buffer) =>
      framer.push(
        chunk,
        (line) => this.onLine(line),
        (length, sample) => {
          this.lastRx = this.clock.monotonic();
          this.h.drop(this, 'line_too_long', `${sample}… (${length} chars)`);
        },
      ),
    );
    socket.on('error', (error) => (this.error = error.message));
    socket.on('close', () => this.h.closed(this, this.error));
  }

  /** `seq` of the last valid message, or null. */
  lastSeq(): number | null {
    return this.rxSeq < 0 ? null : this.rxSeq;
  }

  /** The `seq` the next message sent must carry. */
  nextSeq(): number {
    return this.txSeq + 1;
  }

  /** Writes one message (its `seq` from `nextSeq`); false when the socket is gone. */
  send(message: { seq: number } & Record<string, unknown>): boolean {
    if (this.socket.destroyed) return false;
    this.txSeq = message.seq;
    this.socket.write(`${JSON.stringify(message)}\n`);
    return true;
  }

  /** Closes the connection at once. */
  close(): void {
    this.socket.destroy();
  }

  private onLine(line: string): void {
    this.lastRx = this.clock.monotonic();
    this.h.line(this);
    const parsed = parseEaLine(line);
    if (!parsed.ok) return this.h.drop(this, parsed.reason, `${line.slice(0, SAMPLE)}${parsed.detail ? ` [${parsed.detail}]` : ''}`);
    const msg = parsed.msg;
    if (msg.seq <= this.rxSeq) return this.h.drop(this, 'seq_not_increasing', line);
    this.rxSeq = msg.seq;
    if (!this.hello && msg.type !== 'hello' && msg.type !== 'hb') return this.h.drop(this, 'before_hello', line);
    this.h.message(this, msg, line);
  }
}
