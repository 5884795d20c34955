// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/problem';
import { setUpDialogTests } from '../../test/dialogs';
import { aRequest } from '../../test/fixtures';
import { GrantDialog } from './GrantDialog';

beforeAll(setUpDialogTests);
afterEach(cleanup);

const LABEL = "Identifiant de garantie transmis par l'entreprise";
const props = { open: true, request: aRequest('pre_approved'), pending: false, refreshed: false, onCancel() {} };
const text = (el: Element) => el.textContent.replace(/[\u00a0\u202f]/g, ' ');
const confirm = () => fireEvent.click(screen.getByRole('button', { name: 'Confirmer : le prêt est accordé' }));
const describedText = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

describe('the grant’s confirmation', () => {
  it('keeps the totals and the final warning, and starts on the identifier’s field', () => {
    render(<GrantDialog {...props} onGrant={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'Marquer le prêt de la demande PGE-0J5K8Q2M3RX comme accordé ?' });
    expect(text(dialog)).toContain('Montant total des prêts50 000 €');
    expect(text(dialog)).toContain("Garantie de l'État engagée45 000 €");
    expect(text(dialog)).toContain('Cette décision est définitive');
    const field = screen.getByLabelText(LABEL);
    expect(document.activeElement).toBe(field);
    expect(field.getAttribute('autocomplete')).toBe('off');
    expect(field.getAttribute('spellcheck')).toBe('false');
    expect(field.getAttribute('autocapitalize')).toBe('characters');
    expect(describedText(field)).toContain('PGE-7K3M-Q9TX-2HBW-D');
  });

  it('sends nothing without an identifier, or with a mistyped one: the field says so and keeps focus', () => {
    const onGrant = vi.fn();
    render(<GrantDialog {...props} onGrant={onGrant} />);
    const field = screen.getByLabelText(LABEL);
    confirm();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(field)).toContain("Saisissez l'identifiant de garantie que l'entreprise vous a transmis.");
    expect(document.activeElement).toBe(field);
    // The check symbol catches a wrong character.
    fireEvent.change(field, { target: { value: 'PGE-NF6Y-Y093-8NKR-F' } });
    confirm();
    expect(describedText(field)).toContain("Un caractère de l'identifiant est mal saisi : vérifiez-le avec l'entreprise.");
    fireEvent.change(field, { target: { value: 'PGE-1234' } });
    confirm();
    expect(describedText(field)).toContain('PGE- suivi de 13 caractères');
    expect(onGrant).not.toHaveBeenCalled();
    // Typed as read over the phone: sent once it reads as an identifier.
    fireEvent.change(field, { target: { value: ' pge nf6y y093 8nkr e ' } });
    confirm();
    expect(onGrant).toHaveBeenCalledWith('pge nf6y y093 8nkr e');
    expect(field.getAttribute('aria-invalid')).toBeNull();
  });

  it('shows the API’s refusal at the field, in words, focus moved to it', () => {
    const { rerender } = render(<GrantDialog {...props} onGrant={() => {}} />);
    const field = screen.getByLabelText<HTMLInputElement>(LABEL);
    fireEvent.change(field, { target: { value: 'PGE-0000-0000-0001-2' } });
    screen.getByRole('button', { name: 'Annuler' }).focus();
    for (const [code, words] of [
      ['does-not-match', "Cet identifiant n'est pas celui délivré pour cette demande"],
      ['already-used', 'Cet identifiant a déjà servi à accorder un prêt.'],
      ['cancelled', 'Cet identifiant a été annulé'],
    ] as const) {
      const error = new ApiError(422, { type: '/problems/validation-failed', errors: [{ field: 'guarantee_identifier', code, message: code }] });
      rerender(<GrantDialog {...props} error={error} onGrant={() => {}} />);
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(describedText(field)).toContain(words);
      expect(document.activeElement).toBe(field);
      screen.getByRole('button', { name: 'Annuler' }).focus();
    }
    // What was typed is kept.
    expect(field.value).toBe('PGE-0000-0000-0001-2');
  });

  it('says when the company obtained its identifier meanwhile, and waits while the grant is sent', () => {
    render(<GrantDialog {...props} refreshed pending onGrant={() => {}} />);
    expect(screen.getByText(/l'entreprise vient d'obtenir son identifiant de garantie/)).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Envoi en cours…' }).disabled).toBe(true);
  });

  it('cancels on Escape without granting', () => {
    const onCancel = vi.fn();
    const onGrant = vi.fn();
    render(<GrantDialog {...props} onCancel={onCancel} onGrant={onGrant} />);
    fireEvent(screen.getByRole('dialog'), new Event('cancel', { cancelable: true }));
    expect(onCancel).toHaveBeenCalledOnce();
    expect(onGrant).not.toHaveBeenCalled();
  });

  it('says when the grant will wait for a second reviewer, and when it is that second approval', () => {
    const { rerender } = render(<GrantDialog {...props} thresholdCents={1_000_000} onGrant={() => {}} />);
    expect(text(screen.getByRole('dialog'))).toContain('Le montant dépasse le seuil de double validation de votre banque (10 000 €)');
    rerender(<GrantDialog {...props} confirmsPending onGrant={() => {}} />);
    expect(text(screen.getByRole('dialog'))).not.toContain('Le montant dépasse le seuil');
    expect(text(screen.getByRole('dialog'))).toContain("Seconde validation : en confirmant avec l'identifiant de garantie, vous accordez le prêt.");
  });
});
