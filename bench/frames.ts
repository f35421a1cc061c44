import { idSpans, loadRecording, renderPayload } from '../src/sim/index.js';

/** The shipped real aggTrades recording, as the replay server sends it. */
export const RECORDING = new URL('../recordings/binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv', import.meta.url).pathname;

/**
 * Builds `loops` passes over the recording as combined-stream frames, exactly
 * as the replay server renders them (ids and times shifted per pass), and as
 * the client receives them: text decoded from the socket's bytes (a flat
 * string, not the concatenation the template rendering leaves in memory).
 */
export async function recordedFrames(loops: number): Promise<string[]> {
  const rec = await loadRecording(RECORDING, { symbol: 'btcusdt' });
  const spans = idSpans(rec);
  const first = rec.rows[0] as { T: number };
  const last = rec.rows[rec.rows.length - 1] as { T: number };
  const lengthUs = (Math.floor(last.T) - Math.floor(first.T) + 1) * 1000;
  const frames: string[] = [];
  for (let loop = 0; loop < loops; loop++) {
    const ctx = { market: 'spot' as const, upper: 'BTCUSDT', shiftUs: loop * lengthUs, idShift: loop * spans.id, tradeIdShift: loop * spans.tradeId, micro: false };
    for (let i = 0; i < rec.rows.length; i++) {
      frames.push(Buffer.from(`{"stream":"btcusdt@aggTrade","data":${renderPayload(rec, i, 'aggTrade', ctx)}}`, 'utf8').toString('utf8'));
    }
  }
  return frames;
}
