// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, it } from 'vitest';
import { setUpDialogTests } from '../../test/dialogs';
import { PendingGrantNotice } from './PendingGrant';

beforeAll(setUpDialogTests);
afterEach(cleanup);

const pending = { requested_by: 'anne', requested_at: '2026-03-02T09:30:00Z' };

describe('a grant awaiting its second approval', () => {
  it('tells another reviewer who asked and what to do', () => {
    render(<PendingGrantNotice pending={pending} mine={false} />);
    screen.getByText("Accord du prêt en attente d'une seconde validation");
    screen.getByText(/^Demandé par anne le 2 mars 2026 à \d\d:30\.$/);
    screen.getByText(/confirmez l'accord en saisissant à nouveau l'identifiant de garantie/);
  });

  it('tells the reviewer who asked that another one must confirm', () => {
    render(<PendingGrantNotice pending={pending} mine />);
    screen.getByText(/^Demandé par vous le 2 mars 2026/);
    screen.getByText("Un autre chargé d'instruction de votre banque doit le confirmer : vous ne pouvez pas valider deux fois le même accord.");
  });
});
