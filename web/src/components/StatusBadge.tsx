import { useTranslation } from 'react-i18next';
import type { LoanStatus } from '../api/queries';
import { Tag, type TagColour } from '../ui';

const colours: Record<LoanStatus, TagColour> = {
  submitted: 'blue',
  in_review: 'orange',
  pre_approved: 'green',
  granted: 'green',
  rejected: 'red',
  withdrawn: 'grey',
};

export function StatusBadge({ status }: { status: LoanStatus }) {
  const { t } = useTranslation();
  return <Tag colour={colours[status] ?? 'grey'}>{t(`status.${status}`)}</Tag>;
}
