// The live simulation: debounced (300 ms), one request in flight, latest answer wins.
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { isApiError, type ApiError } from '../../api/problem';
import type { components } from '../../api/schema';
import type { SimulationInput } from '../../draft/fields';
import { LatestOnly } from './latest';

export type SimulationView = components['schemas']['SimulationView'];

export type SimulationState =
  | { status: 'idle' }
  | { status: 'loading'; previous?: SimulationView }
  | { status: 'done'; result: SimulationView; input: SimulationInput }
  | { status: 'error'; error: ApiError };

export const DEBOUNCE_MS = 300;

export async function simulate(input: SimulationInput, signal: AbortSignal): Promise<SimulationView> {
  return (await unwrap(api.POST('/api/v1/simulations', { body: input, signal }))).data;
}

/** The last answer, with the input (as a key) it answers. */
type Answer = { key: string } & ({ ok: true; result: SimulationView; input: SimulationInput } | { ok: false; error: ApiError });

export function useSimulation(input: SimulationInput | undefined, run = simulate): SimulationState {
  const [answer, setAnswer] = useState<Answer>();
  const runner = useRef<LatestOnly<SimulationInput, SimulationView>>(undefined);
  runner.current ??= new LatestOnly(run, (outcome) => {
    const key = JSON.stringify(outcome.input);
    if (outcome.ok) setAnswer({ key, ok: true, result: outcome.output, input: outcome.input });
    else if (isApiError(outcome.error)) setAnswer({ key, ok: false, error: outcome.error });
  });
  useEffect(() => () => runner.current?.dispose(), []);

  const key = input ? JSON.stringify(input) : '';
  useEffect(() => {
    if (!input) return;
    const timer = setTimeout(() => runner.current?.submit(input), DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `key` stands for `input` (a new object on every render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  // The state follows from the input and the last answer: nothing to set in an effect.
  if (!input) return { status: 'idle' };
  if (answer?.key === key) return answer.ok ? { status: 'done', result: answer.result, input: answer.input } : { status: 'error', error: answer.error };
  return { status: 'loading', previous: answer?.ok ? answer.result : undefined };
}
