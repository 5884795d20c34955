import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { useCallback } from 'react';
import { isApiError } from '../api/problem';
import type { ConfigResult } from '../auth/config';
import { SessionProvider } from '../auth/session';
import { router } from './router';

export const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retry only what may pass on retry: network failures and 5xx other than 503
      // (a 503 says when to come back; the page shows it).
      retry: (count, error) => count < 2 && isApiError(error) && (error.isNetwork || (error.status >= 500 && error.status !== 503)),
      refetchOnWindowFocus: false,
    },
  },
  // Every change refreshes what is on screen (no approved loan left showing "submitted").
  mutationCache: new MutationCache({ onSettled: () => queryClient.invalidateQueries() }),
});

export function App({ config }: { config: ConfigResult }) {
  const navigate = useCallback((path: string) => router.history.replace(path), []);
  const onUserChange = useCallback(() => queryClient.clear(), []);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider config={config} navigate={navigate} onUserChange={onUserChange}>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  );
}
