// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/problem';
import type { SimulationInput } from '../../draft/fields';
import { DEBOUNCE_MS, useSimulation, type SimulationView } from './useSimulation';

const input = (revenue: number): SimulationInput => ({
  company: { siren: '000000000', legal_name: 'S', legal_form: 'SAS', creation_date: '2012-05-04', headcount: 3, revenue_cents: revenue },
});
const view = (cap: number): SimulationView => ({
  eligible: true,
  reasons: [],
  terms: { size_category: 'PME', cap_cents: cap, guarantee_share_bp: 9000, guaranteed_cents: cap * 0.9, fee_schedule: [], total_fee_cents: 0 },
});

describe('useSimulation', () => {
  afterEach(() => void vi.useRealTimers());

  it('waits for a pause in typing, keeps one request in flight, shows the latest answer', async () => {
    vi.useFakeTimers();
    let inFlight = 0;
    let maxInFlight = 0;
    const sent: number[] = [];
    const pending: (() => void)[] = [];
    const run = (i: SimulationInput, signal: AbortSignal) =>
      new Promise<SimulationView>((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sent.push(i.company.revenue_cents);
        signal.addEventListener('abort', () => (inFlight--, reject(new DOMException('aborted', 'AbortError'))));
        pending.push(() => (inFlight--, resolve(view(i.company.revenue_cents / 4))));
      });

    const { result, rerender } = renderHook(({ i }) => useSimulation(i, run), { initialProps: { i: input(100) } });
    // Typing "1", "10", "100" within the debounce: one request, for the last value.
    rerender({ i: input(1_000) });
    rerender({ i: input(10_000) });
    await act(async () => void vi.advanceTimersByTime(DEBOUNCE_MS));
    expect(sent).toEqual([10_000]);
    expect(result.current.status).toBe('loading');

    // More typing while that request is out: it is aborted before the next one starts.
    rerender({ i: input(20_000) });
    await act(async () => void vi.advanceTimersByTime(DEBOUNCE_MS));
    await act(async () => void (await Promise.resolve()));
    expect(sent).toEqual([10_000, 20_000]);
    expect(maxInFlight).toBe(1);

    await act(async () => pending[1]!());
    expect(result.current).toMatchObject({ status: 'done', result: { terms: { cap_cents: 5_000 } } });
  });

  it('is idle without input, says a refusal, and keeps the last result shown while the next loads', async () => {
    vi.useFakeTimers();
    const run = (i: SimulationInput) =>
      i.company.revenue_cents < 0 ? Promise.reject(new ApiError(422, { type: '/problems/validation-failed' })) : Promise.resolve(view(i.company.revenue_cents / 4));
    const { result, rerender } = renderHook(({ i }: { i?: SimulationInput }) => useSimulation(i, run), { initialProps: { i: undefined as SimulationInput | undefined } });
    expect(result.current).toEqual({ status: 'idle' });
    rerender({ i: input(400) });
    await act(async () => void vi.advanceTimersByTime(DEBOUNCE_MS));
    expect(result.current).toMatchObject({ status: 'done', result: { terms: { cap_cents: 100 } } });
    rerender({ i: input(800) });
    expect(result.current).toMatchObject({ status: 'loading', previous: { terms: { cap_cents: 100 } } });
    rerender({ i: input(-1) });
    await act(async () => void vi.advanceTimersByTime(DEBOUNCE_MS));
    expect(result.current).toMatchObject({ status: 'error', error: { status: 422 } });
    rerender({ i: undefined });
    expect(result.current).toEqual({ status: 'idle' });
  });
});
