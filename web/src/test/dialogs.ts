// For the unit tests of dialogs and pages' parts (jsdom): the back office's and the
// guarantee's words in French, and the <dialog> methods jsdom lacks.
export async function setUpDialogTests() {
  const { initI18n, loadBackOfficeStrings, loadGuaranteeStrings } = await import('../i18n');
  await initI18n('fr');
  await loadBackOfficeStrings();
  await loadGuaranteeStrings();
  const dialog: Partial<Pick<HTMLDialogElement, 'showModal' | 'close'>> = HTMLDialogElement.prototype;
  dialog.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  dialog.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
}
