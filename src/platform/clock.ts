/**
 * Time comes from an injected clock only, so SLA, settlement and job tests run on simulated
 * time. Production uses the system clock; tests and `serve --simulated-clock` use a settable one.
 */
export interface Clock {
  now(): Date;
  readonly simulated: boolean;
}

export class SystemClock implements Clock {
  readonly simulated = false;
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to. `advance` never goes backwards. */
export class SettableClock implements Clock {
  readonly simulated = true;
  #ms: number;
  constructor(start: Date | string | number = Date.now()) {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  set(to: Date | string | number): void {
    const ms = new Date(to).getTime();
    if (Number.isNaN(ms)) throw new RangeError('invalid time');
    this.#ms = ms;
  }
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance takes a non-negative duration');
    this.#ms += ms;
    return this.now();
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
