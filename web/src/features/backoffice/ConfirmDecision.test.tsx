// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfirmDecisionDialog, decisionTotals } from './ConfirmDecision';
import { setUpDialogTests } from '../../test/dialogs';

beforeAll(setUpDialogTests);

afterEach(cleanup);

const request = (amountEuros: number, guaranteedEuros: number) => ({
  requested_amount_cents: amountEuros * 100,
  terms: { guaranteed_cents: guaranteedEuros * 100, cap_cents: 0, fee_schedule: [], guarantee_share_bp: 9000, size_category: 'PME', total_fee_cents: 0 },
});
// Intl's French grouping uses a narrow no-break space: compare on plain spaces.
const text = (el: Element) => el.textContent.replace(/[\u00a0\u202f]/g, ' ');

describe('the totals of a decision', () => {
  it('add up the amounts and guarantees', () => {
    expect(decisionTotals([request(21_000, 18_900), request(22_000, 19_800), request(23_500.5, 21_150)])).toEqual({
      requestedCents: 6_650_050,
      guaranteedCents: 5_985_000,
    });
    expect(decisionTotals([])).toEqual({ requestedCents: 0, guaranteedCents: 0 });
  });
});

describe('the confirmation of a decision', () => {
  it('says what will happen, to how many requests and for what amount; focus starts on Cancel', () => {
    const onConfirm = vi.fn();
    render(
      <ConfirmDecisionDialog open action="pre_approve" count={2} totals={decisionTotals([request(21_000, 18_900), request(22_000, 19_800)])} onCancel={() => {}} onConfirm={onConfirm} />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Donner un accord de principe à 2 demandes ?' });
    const description = document.getElementById(dialog.getAttribute('aria-describedby')!)!;
    expect(text(description)).toContain('Demandes concernées2 demandes');
    expect(text(description)).toContain('Montant total des prêts43 000 €');
    expect(text(description)).toContain("Garantie de l'État prévue38 700 €");
    expect(text(description)).toContain('chaque demandeur en est informé par e-mail');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Annuler' }));
    fireEvent.click(screen.getByRole('button', { name: "Confirmer l'accord de principe sur les 2 demandes" }));
    expect(onConfirm).toHaveBeenCalledOnce();
  });

  it('says a grant is final and names the request', () => {
    render(<ConfirmDecisionDialog open action="grant" reference="PGE-0J5K8Q2M3RX" count={1} totals={decisionTotals([request(50_000, 45_000)])} onCancel={() => {}} onConfirm={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'Marquer le prêt de la demande PGE-0J5K8Q2M3RX comme accordé ?' });
    expect(text(dialog)).toContain("Garantie de l'État engagée45 000 €");
    expect(text(dialog)).toContain('Cette décision est définitive');
    expect(screen.getByRole('button', { name: 'Confirmer : le prêt est accordé' })).toBeTruthy();
  });

  it('cancels on Escape and on Cancel, without confirming', () => {
    const onCancel = vi.fn();
    const onConfirm = vi.fn();
    render(<ConfirmDecisionDialog open action="grant" reference="PGE-X" count={1} totals={decisionTotals([request(50_000, 45_000)])} onCancel={onCancel} onConfirm={onConfirm} />);
    // Escape on a modal <dialog> fires its `cancel` event.
    fireEvent(screen.getByRole('dialog'), new Event('cancel', { cancelable: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Annuler' }));
    expect(onCancel).toHaveBeenCalledTimes(2);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('cannot be confirmed before the amounts are known', () => {
    render(<ConfirmDecisionDialog open action="pre_approve" count={3} onCancel={() => {}} onConfirm={() => {}} />);
    screen.getByRole('dialog', { name: 'Donner un accord de principe à 3 demandes ?' });
    expect(screen.getByText('Calcul du montant total…')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: "Confirmer l'accord de principe sur les 3 demandes" }).disabled).toBe(true);
  });
});
