import { connect, type Socket } from 'node:net';
import type { Cancel, Clock } from '../core/clock/Clock.js';
import { LineFramer } from '../pipeline/feeds/mt5/framing.js';
import type { Mt5TerminalSimOptions } from './mt5SimTypes.js';

/** What the simulated terminal does on link events. */
export type SimLinkHandlers = Readonly<{
  /** The link connected (counters already updated): say hello. */
  connected: () => void;
  /** One line from the bridge. */
  line: (line: string) => void;
  /** A line longer than the framer accepts was dropped. */
  badLine: () => void;
  /** The socket can take more writes. */
  drain: () => void;
  /** The link closed (a reconnect is scheduled unless stopped). */
  closed: () => void;
}>;

/**
 * The simulated terminal's TCP link to the bridge, as the Expert Advisor
 * keeps it: a client socket with NDJSON framing, every written line passed to
 * the `tap`, and a reconnect after each close with exponential backoff
 * (1, 2, 4 … 30 s by default) until stopped.
 */
export class SimLink {
  /** True while the socket is connected. */
  connected = false;
  /** Failed attempts in a row (the backoff exponent). */
  failures = 0;
  /** Connection attempts. */
  attempts = 0;
  /** Successful connections. */
  connects = 0;
  private socket: Socket | null = null;
  private retry: Cancel | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly o: Pick<Mt5TerminalSimOptions, 'host' | 'port' | 'backoff' | 'tap'>,
    private readonly h: SimLinkHandlers,
  ) {}

  /** True when the socket asks the writer to wait for `drain`. */
  get needsDrain(): boolean {
    return this.socket?.writableNeedDrain === true;
  }

  /** Opens a connection (a no-op once stopped). */
  connect(): void {
    if (this.stopped) return;
    this.attempts++;
    const socket = connect({ host: this.o.host ?? '127.0.0.1', port: this.o.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const framer = new LineFramer(16 * 1024 * 1024);
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      this.failures = 0;
      this.connects++;
      this.h.connected();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) framer.push(chunk, (line) => this.h.line(line), () => this.h.badLine());
    });
    socket.on('drain', () => this.h.drain());
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.connected = false;
      this.h.closed();
      if (this.stopped) return;
      this.failures++;
      const base = this.o.backoff?.initialMs ?? 1_000;
      const delay = Math.min(this.o.backoff?.maxMs ?? 30_000, base * 2 ** (this.failures - 1));
      this.retry = this.clock.setTimeout(() => {
        this.retry = null;
        this.connect();
      }, delay);
    });
  }

  /** Writes one line (after the `tap`); true when not connected (nothing to wait for), else false when the socket asks to wait for `drain`. */
  write(line: string): boolean {
    const socket = this.socket;
    if (!this.connected || socket === null) return true;
    this.o.tap?.('out', line);
    return socket.write(`${line}\n`);
  }

  /** Fault: drops the connection now (the close schedules a reconnect). */
  destroy(): void {
    this.socket?.destroy();
  }

  /** Disconnects for good: cancels the retry and marks the link down at once, then resolves once the socket closed. */
  stop(): Promise<void> {
    this.stopped = true;
    this.retry?.();
    this.retry = null;
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
