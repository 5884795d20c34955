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

export function useSimulation(input: SimulationInput | undefined, run = simulate): SimulationState {
  const [state, setState] = useState<SimulationState>({ status: 'idle' });
  const runner = useRef<LatestOnly<SimulationInput, SimulationView>>(undefined);
  runner.current ??= new LatestOnly(run, (outcome) => {
    if (outcome.ok) setState({ status: 'done', result: outcome.output, input: outcome.input });
    else if (isApiError(outcome.error)) setState({ status: 'error', error: outcome.error });
  });
  useEffect(() => () => runner.current?.dispose(), []);

  const key = input ? JSON.stringify(input) : '';
  useEffect(() => {
    if (!input) {
      setState({ status: 'idle' });
      return;
    }
    setState((s) => ({ status: 'loading', previous: s.status === 'done' ? s.result : s.status === 'loading' ? s.previous : undefined }));
    const timer = setTimeout(() => runner.current?.submit(input), DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // `key` stands for `input` (a new object on every render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
