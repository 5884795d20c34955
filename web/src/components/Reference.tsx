import { useTranslation } from 'react-i18next';
import { groupReference } from '../lib/reference';

/**
 * The reference in large grouped characters, to read over the phone. Screen readers get
 * it spelled character by character.
 */
export function Reference({ value, label }: { value: string; label?: string }) {
  const { t } = useTranslation();
  const groups = groupReference(value);
  return (
    <p className="reference">
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
