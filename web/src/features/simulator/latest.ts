// Runs an async job for the latest input only, never more than one at a time: a new
// input aborts the job in flight and starts once it has settled; the answers of
// superseded inputs are dropped. (Typing fast never floods the API nor shows a stale
// simulation.)

export type Outcome<I, O> = { ok: true; input: I; output: O } | { ok: false; input: I; error: unknown };

export class LatestOnly<I, O> {
  private controller: AbortController | undefined;
  private running = false;
  private pending: { input: I } | undefined;

  constructor(
    private readonly run: (input: I, signal: AbortSignal) => Promise<O>,
    private readonly onOutcome: (outcome: Outcome<I, O>) => void,
  ) {}

  submit(input: I) {
    this.pending = { input };
    if (this.running) this.controller?.abort();
    else this.next();
  }

  /** Stops everything (component unmounted). */
  dispose() {
    this.pending = undefined;
    this.controller?.abort();
  }

  get busy() {
    return this.running || this.pending !== undefined;
  }

  private next() {
    const job = this.pending;
    if (!job) return;
    this.pending = undefined;
    const controller = new AbortController();
    this.controller = controller;
    this.running = true;
    const current = () => !controller.signal.aborted && this.pending === undefined;
    this.run(job.input, controller.signal)
      .then(
        (output) => current() && this.onOutcome({ ok: true, input: job.input, output }),
        (error: unknown) => current() && this.onOutcome({ ok: false, input: job.input, error }),
      )
      .finally(() => {
        this.running = false;
        this.next();
      });
  }
}
