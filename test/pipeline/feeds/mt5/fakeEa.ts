import { connect, type Socket } from 'node:net';

/** A hand-driven Expert Advisor for bridge tests: raw NDJSON over a real TCP socket. */
export type FakeEa = {
  socket: Socket;
  /** Parsed lines received from the bridge. */
  received: Array<Record<string, unknown>>;
  /** Sends a message with v/seq/ts filled in (seq rises by one per call unless given). */
  send(message: Record<string, unknown>): void;
  /** Writes a raw line (a newline is added). */
  raw(text: string): void;
  closed: Promise<void>;
  isClosed(): boolean;
};

/** Connects a fake EA to 127.0.0.1:port. */
export async function fakeEa(port: number): Promise<FakeEa> {
  const socket = connect({ host: '127.0.0.1', port });
  let seq = 0;
  let closed = false;
  let buf = '';
  const received: Array<Record<string, unknown>> = [];
  socket.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      received.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  socket.on('error', () => {});
  const closedP = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    send(message) {
      seq = typeof message.seq === 'number' ? message.seq : seq + 1;
      socket.write(`${JSON.stringify({ v: 1, seq, ts: 1_700_000_000_000, ...message })}\n`);
    },
    raw(text) {
      socket.write(`${text}\n`);
    },
    closed: closedP,
    isClosed: () => closed,
  };
}

/** A hello for BTCUSD/XAUUSD with the given offset and server time. */
export function hello(offsetSec: number, serverTimeMsc: number, lastTickMsc: Record<string, number> = {}): Record<string, unknown> {
  return {
    type: 'hello',
    login: 5_012_345,
    server: 'Broker-Live',
    build: 4755,
    company: 'Broker Ltd',
    serverUtcOffsetSec: offsetSec,
    serverTimeMsc,
    symbols: ['BTCUSD', 'XAUUSD'].map((sym) => ({ sym, digits: 2, point: 0.01, stopsLevel: 0, volumeStep: 0.01, lastTickMsc: lastTickMsc[sym] ?? 0 })),
  };
}
