/** Length of a UTC day, ms. */
export const DAY_MS = 86_400_000;

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The `YYYY-MM-DD` UTC day containing `ts`. */
export function dayOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}
