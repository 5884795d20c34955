// The draft request lives in sessionStorage: nothing typed is lost on reload or across
// the sign-in redirect, and it is gone when the tab closes (shared office PCs).
import { useSyncExternalStore } from 'react';
import type { components } from '../api/schema';
import { emptyValues, type DraftValues } from './fields';

export type FieldProblem = components['schemas']['FieldProblem'];

export interface Draft {
  values: DraftValues;
  /**
   * Sent as `Idempotency-Key` with the submission: a retry after a network failure or a
   * double click replays the first answer instead of creating a second request. It
   * changes whenever an answer changes (same key, other body is refused by the API).
   */
  idempotencyKey: string;
  /** Field errors the API returned for the last submission, shown on their fields. */
  serverErrors: FieldProblem[];
}

const KEY = 'pge.draft.v1';
const listeners = new Set<() => void>();
let cached: Draft | undefined;

const newKey = () => crypto.randomUUID();

function fresh(): Draft {
  return { values: emptyValues(), idempotencyKey: newKey(), serverErrors: [] };
}

/** Some answers: any of them, and any of the company's. */
export type DraftPatch = { company?: Partial<DraftValues['company']> } & Partial<Omit<DraftValues, 'company'>>;

function merge(base: DraftValues, stored: DraftPatch | undefined): DraftValues {
  return { ...base, ...stored, company: { ...base.company, ...stored?.company } };
}

export function readDraft(): Draft {
  if (cached) return cached;
  try {
    const raw = sessionStorage.getItem(KEY);
    // What write() below stored (the app's own), each part checked as it is read.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion
    const parsed = raw ? (JSON.parse(raw) as Partial<Draft>) : undefined;
    cached = parsed
      ? {
          values: merge(emptyValues(), parsed.values),
          idempotencyKey: typeof parsed.idempotencyKey === 'string' ? parsed.idempotencyKey : newKey(),
          serverErrors: Array.isArray(parsed.serverErrors) ? parsed.serverErrors : [],
        }
      : fresh();
  } catch {
    cached = fresh();
  }
  return cached;
}

function write(draft: Draft) {
  cached = draft;
  try {
    sessionStorage.setItem(KEY, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft still lives in memory for this page.
  }
  listeners.forEach((l) => l());
}

/** Merges answers into the draft; a changed answer gets a new idempotency key. */
export function updateDraft(patch: DraftPatch) {
  const current = readDraft();
  const values = merge(current.values, patch);
  if (JSON.stringify(values) === JSON.stringify(current.values)) return;
  write({ ...current, values, idempotencyKey: newKey() });
}

/** A new Idempotency-Key for the same answers (the API refused the old one as reused). */
export function rotateKey() {
  write({ ...readDraft(), idempotencyKey: newKey() });
}

export function setServerErrors(serverErrors: FieldProblem[]) {
  write({ ...readDraft(), serverErrors });
}

/** Forgets server errors on these fields (the user has answered them again). */
export function clearServerErrors(fields: string[]) {
  const d = readDraft();
  const left = d.serverErrors.filter((e) => !fields.includes(e.field.replace(/_cents$/, '')));
  if (left.length !== d.serverErrors.length) write({ ...d, serverErrors: left });
}

/** Restores a draft carried through the sign-in redirect when this tab lost its own. */
export function restoreDraft(draft: unknown) {
  if (!draft || typeof draft !== 'object' || sessionStorage.getItem(KEY)) return;
  sessionStorage.setItem(KEY, JSON.stringify(draft));
  cached = undefined;
  write(readDraft());
}

export function clearDraft() {
  sessionStorage.removeItem(KEY);
  write(fresh());
}

/** Calls `listener` at every change of the draft; returns the unsubscription. */
export function subscribeDraft(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Whether nothing has been answered yet. */
export const isEmptyDraft = (values: DraftValues) => JSON.stringify(values) === JSON.stringify(emptyValues());

export function useDraft(): Draft {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    readDraft,
  );
}
