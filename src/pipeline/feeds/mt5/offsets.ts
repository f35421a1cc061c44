/** One announced trade-server offset and the server time from which it holds. */
export type OffsetEntry = Readonly<{ fromServerMs: number; offsetSec: number }>;

const MAX_ENTRIES = 64;

/**
 * What the bridge knows about the broker's server clock: the offsets the
 * terminal announced (`hello`, `offset`), each from the server time it was
 * measured at. A server time converts with the newest announcement that holds
 * at it, so data sent after a DST change uses the new offset while data from
 * before it (late ticks, history) keeps the old one. Server times before the
 * first announcement use `past` (e.g. the EET rule) when given, else the
 * oldest announcement.
 */
export class OffsetSchedule {
  private readonly list: OffsetEntry[] = [];

  /** @param past offset (seconds) of a server time older than every announcement, or null when unknown */
  constructor(private readonly past?: (serverMs: number) => number | null) {}

  /** Records an announcement; true when it changed the offset in force. */
  record(offsetSec: number, serverTimeMsc: number): boolean {
    const last = this.list[this.list.length - 1];
    if (last !== undefined && last.offsetSec === offsetSec) return false;
    this.list.push({ fromServerMs: serverTimeMsc, offsetSec });
    if (this.list.length > MAX_ENTRIES) this.list.shift();
    return true;
  }

  /** The latest announced offset, seconds, or null before the first `hello`. */
  latest(): number | null {
    return this.list[this.list.length - 1]?.offsetSec ?? null;
  }

  /** Every announcement, oldest first. */
  entries(): readonly OffsetEntry[] {
    return this.list;
  }

  /** Offset (seconds) in force at a server time, or null when nothing was announced yet. */
  offsetAt(serverMs: number): number | null {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i] as OffsetEntry;
      if (e.fromServerMs <= serverMs) return e.offsetSec;
    }
    const first = this.list[0];
    if (first === undefined) return null;
    return this.past?.(serverMs) ?? first.offsetSec;
  }

  /** Broker server time (ms) to UTC epoch ms, or null when no offset is known yet. */
  toUtc(serverMs: number): number | null {
    const off = this.offsetAt(serverMs);
    return off === null ? null : serverMs - off * 1000;
  }

  /** UTC epoch ms to broker server time (ms), or null when no offset is known yet. */
  toServer(utcMs: number): number | null {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i] as OffsetEntry;
      const s = utcMs + e.offsetSec * 1000;
      if (s >= e.fromServerMs) return s;
    }
    const first = this.list[0];
    if (first === undefined) return null;
    const guess = utcMs + first.offsetSec * 1000;
    const off = this.past?.(guess) ?? first.offsetSec;
    return utcMs + off * 1000;
  }
}
