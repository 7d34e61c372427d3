// Plays rundown steps at their time on an injectable Clock: on the wall clock in
// Hong Kong time, or accelerated (the first step now, later ones at their
// rundown distance divided by the factor), so tests and `npm start` drive time.
import type { Clock, TimerHandle } from '../wire/index.ts';
import type { Rundown, RundownStep } from './rundown.ts';
import { parseHongKongDate } from './hong-kong-time.ts';

export interface ScheduleOptions {
  clock: Clock;
  /** Rundown time runs this many times faster than the clock; absent = wall clock (Hong Kong time). */
  accelerate?: number;
}

export interface StepRun {
  step: RundownStep;
  /** Clock ms the step was due / started / finished. */
  dueAt: number;
  startedAt: number;
  finishedAt: number;
  /** Rundown (Hong Kong) time the step stands for. */
  rundownAt: number;
  error?: Error;
}

/** Maps between clock time and rundown time for one run. */
export class RundownTimeline {
  readonly accelerate: number | undefined;
  readonly originClock: number;
  readonly originRundown: number;

  constructor(rundown: Rundown, clock: Clock, accelerate?: number) {
    this.accelerate = accelerate;
    this.originClock = clock.now();
    // Accelerated runs start at the session day's first step: the days before (Friday's preparation) are not waited out.
    const day = parseHongKongDate(rundown.date) ?? -Infinity;
    const first = rundown.steps.find((s) => s.atMs >= day) ?? rundown.steps[0]!;
    this.originRundown = accelerate === undefined ? this.originClock : first.atMs;
  }

  /** Clock ms at which a rundown time falls due. */
  clockAt(rundownMs: number): number {
    if (this.accelerate === undefined) return rundownMs;
    return this.originClock + (rundownMs - this.originRundown) / this.accelerate;
  }

  /** Rundown time (Hong Kong) a clock instant stands for. */
  rundownAt(clockMs: number): number {
    if (this.accelerate === undefined) return clockMs;
    return this.originRundown + (clockMs - this.originClock) * this.accelerate;
  }

  /** A rundown duration as clock ms (e.g. a 20-minute window at 150x is 8 s). */
  clockDuration(rundownMs: number): number {
    return this.accelerate === undefined ? rundownMs : rundownMs / this.accelerate;
  }
}

/**
 * Runs each step when its time comes, one after the other: a step never starts
 * before the previous one finished (an activation must not overtake the
 * isolation it follows). Steps whose time has already passed run at once, in
 * order, and are reported late by the caller from dueAt/startedAt.
 */
export class RundownScheduler {
  readonly rundown: Rundown;
  readonly timeline: RundownTimeline;
  #clock: Clock;
  #timer: TimerHandle | null = null;
  #stopped = false;
  #runs: StepRun[] = [];
  #finish: (() => void) | null = null;

  constructor(rundown: Rundown, opts: ScheduleOptions) {
    if (opts.accelerate !== undefined && !(opts.accelerate > 0)) throw new RangeError('accelerate must be > 0');
    this.rundown = rundown;
    this.#clock = opts.clock;
    this.timeline = new RundownTimeline(rundown, opts.clock, opts.accelerate);
  }

  get runs(): readonly StepRun[] {
    return this.#runs;
  }

  /** Resolves when the last step finished (or stop() was called). A failing step is recorded, and the rundown goes on. */
  run(execute: (step: RundownStep, run: { dueAt: number; rundownAt: number }) => Promise<void>): Promise<StepRun[]> {
    return new Promise((done) => {
      const resolve = () => {
        this.#finish = null;
        done(this.#runs);
      };
      this.#finish = resolve;
      const next = (i: number) => {
        if (this.#stopped || i >= this.rundown.steps.length) return resolve();
        const step = this.rundown.steps[i]!;
        const dueAt = this.timeline.clockAt(step.atMs);
        const fire = () => {
          this.#timer = null;
          if (this.#stopped) return resolve();
          const startedAt = this.#clock.now();
          const rec: StepRun = { step, dueAt, startedAt, finishedAt: startedAt, rundownAt: step.atMs };
          this.#runs.push(rec);
          let p: Promise<void>;
          try {
            p = execute(step, { dueAt, rundownAt: step.atMs });
          } catch (e) {
            p = Promise.reject(e);
          }
          p.then(
            () => {
              rec.finishedAt = this.#clock.now();
              next(i + 1);
            },
            (e: unknown) => {
              rec.finishedAt = this.#clock.now();
              rec.error = e instanceof Error ? e : new Error(String(e));
              next(i + 1);
            },
          );
        };
        const wait = dueAt - this.#clock.now();
        if (wait <= 0) fire();
        else this.#timer = this.#clock.setTimeout(fire, wait);
      };
      next(0);
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.#finish?.();
  }
}
