// A grant is confirmed like a pre-approval (what it commits, that it is final) and needs
// the guarantee identifier the company obtained and handed over (docs/RULES.md §20): a
// field that refuses to send nothing or a mistyped identifier (its check symbol catches
// any single wrong character), and that shows the API's refusal (not this request's
// identifier, already used, cancelled) where it was typed, focus moved to it. Above the
// bank's four-eyes threshold, it says the grant will wait for a second reviewer; for that
// reviewer, that confirming grants the loan.
import { useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/problem';
import type { LoanRequest } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { WithExample } from '../../components/WithExample';
import { guaranteeIdentifierError } from '../../lib/guarantee';
import { formatCents } from '../../lib/money';
import { Alert, TextInput } from '../../ui';
import { ConfirmDecisionDialog, decisionTotals } from './ConfirmDecision';

/** The API's field of the grant, and the name of its input. */
export const GRANT_FIELD = 'guarantee_identifier';

/** A refusal of the identifier in words: the grant's own, else the public check's, else the generic ones. */
export const identifierErrorText = (t: TFunction, code: string, message?: string) =>
  t([`fieldErrors.${GRANT_FIELD}.${code}`, `fieldErrors.identifier.${code}`, `errors.${code}`, 'errors.unknown'], { message: message ?? code });

export function GrantDialog({
  open,
  request: r,
  pending,
  error,
  refreshed,
  thresholdCents,
  confirmsPending = false,
  onCancel,
  onGrant,
}: {
  open: boolean;
  request: LoanRequest;
  pending: boolean;
  /** The grant's refusal, when it is one the dialog shows (not a conflict: the page says those). */
  error?: ApiError;
  /** The request was reloaded after a 412 and is still pre-approved: the company obtained its identifier meanwhile. */
  refreshed: boolean;
  /** The bank's threshold, when the amount is above it: this grant will wait for a second reviewer. */
  thresholdCents?: number;
  /** This grant is the second approval of a pending one. */
  confirmsPending?: boolean;
  onCancel: () => void;
  onGrant: (identifier: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [local, setLocal] = useState<string>();
  const apiField = error?.fieldErrors.find((f) => f.field === GRANT_FIELD);
  const fieldError = local ?? (apiField ? identifierErrorText(t, apiField.code, apiField.message) : undefined);
  // Each refusal by the API moves focus back to the field, where it is said.
  useEffect(() => {
    if (error?.fieldErrors.some((f) => f.field === GRANT_FIELD)) input.current?.focus();
  }, [error]);
  return (
    <ConfirmDecisionDialog
      open={open}
      action="grant"
      reference={r.reference}
      count={1}
      totals={decisionTotals([r])}
      pending={pending}
      initialFocus={input}
      onCancel={() => {
        setLocal(undefined);
        onCancel();
      }}
      onConfirm={() => {
        const typed = input.current?.value ?? '';
        const code = guaranteeIdentifierError(typed);
        if (code) {
          setLocal(identifierErrorText(t, code));
          input.current?.focus();
          return;
        }
        setLocal(undefined);
        onGrant(typed.trim());
      }}
    >
      {thresholdCents !== undefined && (
        <Alert variant="info">
          <p>{t('review.grantAboveThreshold', { threshold: formatCents(thresholdCents, i18n.language) })}</p>
        </Alert>
      )}
      {confirmsPending && (
        <Alert variant="info">
          <p>{t('review.grantSecond')}</p>
        </Alert>
      )}
      {refreshed && (
        <Alert variant="info" live="status">
          <p>{t('review.grantRefreshed')}</p>
        </Alert>
      )}
      {/* Uncontrolled: what is typed lives as long as the dialog is open. */}
      <TextInput
        ref={input}
        name={GRANT_FIELD}
        label={t('review.grantIdentifier.label')}
        hint={<WithExample text={t('review.grantIdentifier.hint')} />}
        error={fieldError}
        className="identifier-input"
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="characters"
        spellCheck={false}
      />
      {error && !apiField && <ProblemAlert error={error} />}
    </ConfirmDecisionDialog>
  );
}
