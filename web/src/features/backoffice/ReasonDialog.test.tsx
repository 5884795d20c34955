// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/problem';
import { ReasonDialog } from './ReasonDialog';
import { setUpDialogTests } from '../../test/dialogs';

beforeAll(setUpDialogTests);

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

const props = { keepAs: 'reason:test', open: true, title: 'Refuser la demande', confirm: 'Refuser', pending: false, onCancel() {} };

describe('the reject dialog', () => {
  it('will not submit without a reason: the field says so and keeps focus', () => {
    const onConfirm = vi.fn();
    render(<ReasonDialog {...props} onConfirm={onConfirm} />);
    fireEvent.click(screen.getByRole('button', { name: 'Refuser' }));
    expect(onConfirm).not.toHaveBeenCalled();
    const field = screen.getByLabelText('Motif du refus');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field);
    expect(screen.getByText('Indiquez le motif du refus.')).toBeTruthy();
    fireEvent.change(field, { target: { value: '  Dossier incomplet.  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Refuser' }));
    expect(onConfirm).toHaveBeenCalledWith('Dossier incomplet.');
  });

  it("shows the API's refusal of the reason on the field", () => {
    const error = new ApiError(422, { type: '/problems/validation-failed', errors: [{ field: 'reason', code: 'too-long', message: 'at most 2000' }] });
    render(<ReasonDialog {...props} error={error} onConfirm={() => {}} />);
    expect(screen.getByLabelText('Motif du refus').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Le motif comporte 2 000 caractères au plus.')).toBeTruthy();
  });

  it('keeps what was typed across a remount (a reload, the sign-in redirect) until it is cancelled', () => {
    const first = render(<ReasonDialog {...props} onConfirm={() => {}} />);
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'Pièces manquantes' } });
    first.unmount();
    render(<ReasonDialog {...props} onConfirm={() => {}} />);
    expect(screen.getByRole<HTMLTextAreaElement>('textbox').value).toBe('Pièces manquantes');
    fireEvent.click(screen.getByRole('button', { name: 'Annuler' }));
    cleanup();
    render(<ReasonDialog {...props} onConfirm={() => {}} />);
    expect(screen.getByRole<HTMLTextAreaElement>('textbox').value).toBe('');
  });
});
