// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorSummary, Radios, TextInput, UiStringsProvider } from '.';

afterEach(cleanup);

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

describe('the words the components say', () => {
  it('come from the app, for the language shown (no module state set while rendering)', () => {
    render(
      <UiStringsProvider value={{ errorPrefix: 'Error: ' }}>
        <TextInput name="company.siren" label="SIREN number" error="This SIREN number does not exist" />
      </UiStringsProvider>,
    );
    const input = screen.getByLabelText('SIREN number');
    expect(document.getElementById(input.getAttribute('aria-describedby')!)!.textContent).toBe('Error: This SIREN number does not exist');
  });
  it('say a question’s error with its group of radio buttons', () => {
    render(<Radios name="company.innovative" legend="Innovante ?" error="Répondez par oui ou non." options={[{ value: 'yes', label: 'Oui' }, { value: 'no', label: 'Non' }]} />);
    const group = screen.getByRole('group', { name: 'Innovante ?' });
    expect(document.getElementById(group.getAttribute('aria-describedby')!)!.textContent).toBe('Erreur : Répondez par oui ou non.');
    for (const radio of screen.getAllByRole('radio')) expect(radio.hasAttribute('aria-invalid')).toBe(false);
  });
});
