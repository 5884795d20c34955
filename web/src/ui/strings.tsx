// Words the components say themselves (the hidden "Error: " before an error message),
// given by the app for the current language through a context: never module state
// written while rendering.
import { createContext, useContext, type ReactNode } from 'react';

export interface UiStrings {
  /** Read before each error message by screen readers ("Erreur : "). */
  errorPrefix: string;
}

const UiStringsContext = createContext<UiStrings>({ errorPrefix: 'Erreur : ' });

export function UiStringsProvider({ value, children }: { value: UiStrings; children: ReactNode }) {
  return <UiStringsContext.Provider value={value}>{children}</UiStringsContext.Provider>;
}

export const useUiStrings = () => useContext(UiStringsContext);
