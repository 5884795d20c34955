// The unfinished request kept on the server (GET/PUT/DELETE /api/v1/draft) as well as in
// the tab: a signed-in applicant who closes the tab, or opens the service on another
// device, finds their answers again. On arrival, a draft on the server fills an empty
// one here (never overwrites answers being typed); every change is saved a second after
// typing stops; the request's submission deletes it (pages.tsx). It is kept 30 days.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import { isEmptyDraft, readDraft, subscribeDraft, updateDraft } from './store';

/** How long typing must pause before the draft is saved on the server. */
export const SAVE_AFTER_MS = 1000;

/**
 * Reads the server's draft on arrival, then saves every change; returns whether the
 * steps may render (once the server's draft is in: a form reads its answers when it
 * mounts).
 */
export function useServerDraft(): boolean {
  const session = useSession();
  const active = session.status === 'signedIn' && session.role === 'applicant';
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    void api.GET('/api/v1/draft').then(
      ({ data }) => {
        if (cancelled) return;
        if (data && isEmptyDraft(readDraft().values)) updateDraft(data.answers);
        setLoaded(true);
      },
      () => !cancelled && setLoaded(true),
    );
    return () => {
      cancelled = true;
    };
  }, [active]);

  useEffect(() => {
    if (!active || !loaded) return;
    let saved = JSON.stringify(readDraft().values);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribeDraft(() => {
      const values = readDraft().values;
      const now = JSON.stringify(values);
      // An emptied draft (submitted, or signed out) is never saved over the last one.
      if (now === saved || isEmptyDraft(values)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        saved = now;
        // The OpenAPI document says "a JSON object" (generated as an object of nothing): the answers are one.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
        void api.PUT('/api/v1/draft', { body: { answers: values as unknown as Record<string, never> } });
      }, SAVE_AFTER_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [active, loaded]);

  return !active || loaded;
}
