import { describe, expect, it } from 'vitest';
import { landingPath, roleOf } from './config';

describe('roles and where sign-in lands', () => {
  it('reads the role from cognito:groups, admins first', () => {
    expect(roleOf({ 'cognito:groups': ['applicants'] })).toBe('applicant');
    expect(roleOf({ 'cognito:groups': ['bank-reviewers'], 'custom:bank_id': '30004' })).toBe('reviewer');
    expect(roleOf({ 'cognito:groups': ['bank-reviewers', 'admins'] })).toBe('admin');
    expect(roleOf({ 'cognito:groups': 'admins' })).toBeUndefined();
    expect(roleOf(undefined)).toBeUndefined();
  });

  it('sends a reviewer to the queue and an admin to the admin area unless they asked for a page of theirs', () => {
    expect(landingPath('reviewer', '/demandes')).toBe('/instruction');
    expect(landingPath('reviewer', '/')).toBe('/instruction');
    expect(landingPath('reviewer', '/instruction?siren=732829320')).toBe('/instruction?siren=732829320');
    expect(landingPath('reviewer', '/instruction/0b6f')).toBe('/instruction/0b6f');
    expect(landingPath('reviewer', '/instructions')).toBe('/instruction');
    expect(landingPath('admin', '/demandes')).toBe('/admin');
    expect(landingPath('admin', '/admin/banques')).toBe('/admin/banques');
    expect(landingPath('applicant', '/demande/montant')).toBe('/demande/montant');
    expect(landingPath('applicant', '/admin')).toBe('/demandes');
  });
});
