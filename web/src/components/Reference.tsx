import { useTranslation } from 'react-i18next';
import { groupReference } from '../lib/reference';

/**
 * The reference (or a guarantee identifier, `kind="guarantee"`: one group more, set a
 * little smaller on phones so that it stays on one line) in large grouped characters,
 * to read over the phone. Screen readers get it spelled character by character.
 */
export function Reference({ value, label, kind = 'reference' }: { value: string; label?: string; kind?: 'reference' | 'guarantee' }) {
  const { t } = useTranslation();
  const groups = groupReference(value);
  return (
    <p className={kind === 'guarantee' ? 'reference reference--guarantee' : 'reference'}>
      <span className="reference__label">{label ?? t('reference.label')}</span>
      <span className="reference__value" aria-hidden="true">
        {groups.map((g, i) => (
          <span key={i} className="reference__group">
            {g}
          </span>
        ))}
      </span>
      <span className="ui-visually-hidden">{groups.map((g) => [...g].join(' ')).join(', ')}</span>
    </p>
  );
}
