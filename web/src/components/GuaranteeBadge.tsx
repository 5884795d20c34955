import { useTranslation } from 'react-i18next';
import type { GuaranteeState } from '../api/queries';
import { Tag, type TagColour } from '../ui';

const colours: Record<GuaranteeState, TagColour> = { issued: 'green', used: 'blue', cancelled: 'grey' };

/** Where a guarantee stands: valid, used (the loan granted on it) or cancelled. */
export function GuaranteeBadge({ status }: { status: GuaranteeState }) {
  const { t } = useTranslation();
  return <Tag colour={colours[status] ?? 'grey'}>{t(`guarantee.status.${status}`)}</Tag>;
}
