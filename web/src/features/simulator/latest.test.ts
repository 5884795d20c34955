import { describe, expect, it, vi } from 'vitest';
import { LatestOnly, type Outcome } from './latest';

/** A fake API whose answers we release by hand, recording how many calls overlap. */
function fakeApi() {
  let inFlight = 0;
  let maxInFlight = 0;
  const calls: { input: number; resolve: (v: string) => void; signal: AbortSignal }[] = [];
  const run = (input: number, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => inFlight--;
      signal.addEventListener('abort', () => {
        done();
        reject(new DOMException('aborted', 'AbortError'));
      });
      calls.push({ input, signal, resolve: (v) => (done(), resolve(v)) });
    });
  return { run, calls, maxInFlight: () => maxInFlight };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('simulation requests', () => {
  it('never has more than one in flight, and only the latest input is answered', async () => {
    const api = fakeApi();
    const outcomes: Outcome<number, string>[] = [];
    const runner = new LatestOnly(api.run, (o) => outcomes.push(o));
    runner.submit(1);
    runner.submit(2);
    runner.submit(3);
    await flush();
    // The first call was aborted; 2 was superseded before it started; 3 runs alone.
    expect(api.calls.map((c) => c.input)).toEqual([1, 3]);
    expect(api.calls[0]!.signal.aborted).toBe(true);
    expect(api.maxInFlight()).toBe(1);
    api.calls[1]!.resolve('three');
    await flush();
    expect(outcomes).toEqual([{ ok: true, input: 3, output: 'three' }]);
  });

  it('drops a stale answer that arrives after a newer input', async () => {
    const api = fakeApi();
    const onOutcome = vi.fn();
    const runner = new LatestOnly(async (input: number, signal: AbortSignal) => {
      // An API that ignores abort (answers anyway).
      void signal;
      return api.run(input, new AbortController().signal);
    }, onOutcome);
    runner.submit(1);
    await flush();
    runner.submit(2);
    api.calls[0]!.resolve('one (stale)');
    await flush();
    expect(onOutcome).not.toHaveBeenCalled();
    expect(api.calls.map((c) => c.input)).toEqual([1, 2]);
    expect(api.maxInFlight()).toBe(1);
    api.calls[1]!.resolve('two');
    await flush();
    expect(onOutcome).toHaveBeenCalledExactlyOnceWith({ ok: true, input: 2, output: 'two' });
  });

  it('reports errors of the latest input and stops on dispose', async () => {
    const onOutcome = vi.fn();
    const runner = new LatestOnly(async (n: number) => {
      throw new Error(`boom ${n}`);
    }, onOutcome);
    runner.submit(7);
    await flush();
    expect(onOutcome).toHaveBeenCalledWith(expect.objectContaining({ ok: false, input: 7 }));
    runner.dispose();
    expect(runner.busy).toBe(false);
  });
});
