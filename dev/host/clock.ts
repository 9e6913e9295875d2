/** Time for the dev host: the wall clock (`npm run dev`) or a virtual one tests move by hand or when idle. */
export interface Clock {
  readonly virtual: boolean;
  now(): number;
}

export class WallClock implements Clock {
  readonly virtual = false;
  now(): number {
    return Date.now();
  }
}

export class VirtualClock implements Clock {
  readonly virtual = true;
  private current: number;

  constructor(start: number | Date = Date.UTC(2026, 0, 1, 0, 0, 0)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward (never back: timers already fired must stay fired). */
  set(to: number): void {
    if (to > this.current) this.current = to;
  }
}

/** The clock a host or stack option names: "wall" (the default), "virtual", or one to share. */
export function clockFor(option: "wall" | "virtual" | Clock | undefined): Clock {
  if (option === "virtual") return new VirtualClock();
  return option === "wall" || option === undefined ? new WallClock() : option;
}
