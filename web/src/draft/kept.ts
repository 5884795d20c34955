// Free text a user is writing (a message, a rejection reason) kept in sessionStorage as
// it is typed: a sign-in redirect, a reload or a renewal that failed loses nothing; it is
// gone when it is sent, at sign-out, or when the tab closes (shared office PCs).
import { useCallback, useState } from 'react';

const PREFIX = 'pge.kept.';

function read(key: string): string {
  try {
    return sessionStorage.getItem(PREFIX + key) ?? '';
  } catch {
    return '';
  }
}

function write(key: string, value: string) {
  try {
    if (value === '') sessionStorage.removeItem(PREFIX + key);
    else sessionStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage full or refused: the text stays in the page.
  }
}

/** A text field's value, kept under `key` (e.g. `message:<request id>`) until cleared. */
export function useKeptText(key: string): [string, (value: string) => void] {
  const [value, setValue] = useState(() => read(key));
  const set = useCallback(
    (next: string) => {
      setValue(next);
      write(key, next);
    },
    [key],
  );
  return [value, set];
}

/** Forgets every kept text (sign-out). */
export function clearKeptTexts() {
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
  } catch {
    // Nothing to forget.
  }
}
