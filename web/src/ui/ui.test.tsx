// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ErrorSummary, TextInput } from '.';

describe('field errors', () => {
  it('are tied to their field and listed in a summary that takes focus and links to it', () => {
    render(
      <>
        <ErrorSummary title="Il y a un problème" errors={[{ target: 'company.siren', text: 'Ce numéro SIREN n’existe pas' }]} />
        <TextInput name="company.siren" label="Numéro SIREN" hint="9 chiffres" error="Ce numéro SIREN n’existe pas" />
      </>,
    );
    const input = screen.getByLabelText('Numéro SIREN');
    expect(input).toHaveProperty('id', 'f-company-siren');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = input.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent);
    expect(described).toEqual(['9 chiffres', 'Erreur : Ce numéro SIREN n’existe pas']);

    const summary = screen.getByRole('alert');
    expect(document.activeElement).toBe(summary);
    fireEvent.click(screen.getByRole('link', { name: 'Ce numéro SIREN n’existe pas' }));
    expect(document.activeElement).toBe(input);
  });
});
