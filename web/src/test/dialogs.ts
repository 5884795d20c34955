// For the unit tests of dialogs (jsdom): the back office's words in French, and the
// <dialog> methods jsdom lacks.
export async function setUpDialogTests() {
  const { initI18n, loadBackOfficeStrings } = await import('../i18n');
  await initI18n('fr');
  await loadBackOfficeStrings();
  const dialog: Partial<Pick<HTMLDialogElement, 'showModal' | 'close'>> = HTMLDialogElement.prototype;
  dialog.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  dialog.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
}
