// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearKeptTexts, useKeptText } from './kept';

describe('kept texts', () => {
  beforeEach(() => sessionStorage.clear());
  it('survive a remount (a reload, the sign-in redirect) until cleared by an empty value', () => {
    const first = renderHook(() => useKeptText('message:r1'));
    act(() => first.result.current[1]('Bonjour, pourriez-vous'));
    first.unmount();
    const again = renderHook(() => useKeptText('message:r1'));
    expect(again.result.current[0]).toBe('Bonjour, pourriez-vous');
    expect(renderHook(() => useKeptText('message:r2')).result.current[0]).toBe('');
    act(() => again.result.current[1](''));
    expect(renderHook(() => useKeptText('message:r1')).result.current[0]).toBe('');
  });
  it('are all forgotten at sign-out, and nothing else is', () => {
    sessionStorage.setItem('pge.draft.v1', '{}');
    const kept = renderHook(() => useKeptText('reason:r1'));
    act(() => kept.result.current[1]('Dossier incomplet'));
    clearKeptTexts();
    expect(renderHook(() => useKeptText('reason:r1')).result.current[0]).toBe('');
    expect(sessionStorage.getItem('pge.draft.v1')).toBe('{}');
  });
});
