import type { Cancel, ClockJumped, Clock } from '../../core/index.js';

/** Tuning of the sleep detector. */
export type SleepDetectorOptions = Readonly<{
  /** How often the clocks are compared, ms (default 1000). */
  intervalMs?: number;
  /** A wall-clock step larger than this beyond the monotonic one is a jump, ms (default 5000). */
  thresholdMs?: number;
}>;

/**
 * Notices a laptop sleep, a VM pause or an NTP step: compares how far the wall
 * clock moved with how far the monotonic clock moved between two checks. A
 * difference above the threshold (either direction) is reported once per jump.
 */
export class SleepDetector {
  private cancel: Cancel | null = null;
  private lastWall = 0;
  private lastMono = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onJump: (jump: ClockJumped) => void,
    private readonly options: SleepDetectorOptions = {},
  ) {}

  start(): void {
    if (this.cancel) return;
    this.lastWall = this.clock.now();
    this.lastMono = this.clock.monotonic();
    this.cancel = this.clock.setInterval(() => this.check(), this.options.intervalMs ?? 1_000);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = null;
  }

  /** Compares the clocks now (also called by the interval). */
  check(): void {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    const wallDeltaMs = wall - this.lastWall;
    const monotonicDeltaMs = mono - this.lastMono;
    this.lastWall = wall;
    this.lastMono = mono;
    const jumpMs = wallDeltaMs - monotonicDeltaMs;
    if (Math.abs(jumpMs) > (this.options.thresholdMs ?? 5_000)) {
      this.onJump({ wallDeltaMs, monotonicDeltaMs, jumpMs, tsInit: wall });
    }
  }
}
