// Whether the page shown is the one the document was loaded with (its heading does not
// take focus: the browser starts at the top) or one reached by navigation. One fact per
// loaded document, so a module's, and written only from effects.
let initial = true;

/** The next page is reached by navigation, not loaded: its heading takes focus. */
export function markInitialPageShown() {
  initial = false;
}

/** True once, for the first page shown; false ever after. */
export function takeInitialPage(): boolean {
  const was = initial;
  initial = false;
  return was;
}
