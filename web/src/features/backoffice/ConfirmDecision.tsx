// Decisions that commit the bank (a pre-approval) or the State (a grant: final, it
// engages the State's guarantee) are confirmed first, in a modal dialog that says what
// will happen, to how many requests and for what total amount. Focus starts on
// "Cancel", so Enter pressed by habit changes nothing; Escape cancels. A grant also asks
// for the guarantee identifier the company handed over (`GrantDialog`): its field comes
// in as `children`, and focus starts there (an empty field refuses to confirm).
import { useId, useRef, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoanRequest } from '../../api/queries';
import { formatCents } from '../../lib/money';
import { Button, ButtonGroup, Dialog, Spinner, SummaryList } from '../../ui';

/** The decisions that are confirmed before they are sent. */
export type ConfirmedAction = 'pre_approve' | 'grant';

export interface DecisionTotals {
  /** The loans' amounts added up. */
  requestedCents: number;
  /** The State's guarantee on them, added up. */
  guaranteedCents: number;
}

/** The requests' amounts and guarantees added up. */
export function decisionTotals(requests: Pick<LoanRequest, 'requested_amount_cents' | 'terms'>[]): DecisionTotals {
  return requests.reduce(
    (sum, r) => ({
      requestedCents: sum.requestedCents + r.requested_amount_cents,
      guaranteedCents: sum.guaranteedCents + r.terms.guaranteed_cents,
    }),
    { requestedCents: 0, guaranteedCents: 0 },
  );
}

export function ConfirmDecisionDialog({
  open,
  action,
  reference,
  count,
  totals,
  problem,
  pending = false,
  initialFocus,
  children,
  onCancel,
  onConfirm,
}: {
  open: boolean;
  action: ConfirmedAction;
  /** The request's reference, when the decision is on one request. */
  reference?: string;
  /** How many requests the decision is on. */
  count: number;
  /** Undefined while they load (the confirm button waits for them). */
  totals?: DecisionTotals;
  /** Why the totals could not be loaded. */
  problem?: ReactNode;
  /** Sent and not answered yet (the dialog stays open until the answer). */
  pending?: boolean;
  /** Focused when the dialog opens, instead of "Cancel". */
  initialFocus?: RefObject<HTMLElement | null>;
  /** What the decision needs besides the confirmation (a field), after its description. */
  children?: ReactNode;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { t, i18n } = useTranslation();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const describedBy = useId();
  const title = reference ? t(`confirmDecision.titleOne.${action}`, { reference }) : t(`confirmDecision.titleMany.${action}`, { count });
  const money = (cents: number) => formatCents(cents, i18n.language);
  return (
    <Dialog open={open} title={title} onClose={onCancel} describedBy={describedBy} initialFocus={initialFocus ?? cancelRef}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (totals && !pending) onConfirm();
        }}
      >
        <div id={describedBy}>
          {totals ? (
            <SummaryList
              noActions
              rows={[
                { key: 'count', label: t('confirmDecision.count'), value: t('confirmDecision.requests', { count }) },
                { key: 'requested', label: t('confirmDecision.requested'), value: money(totals.requestedCents) },
                { key: 'guaranteed', label: t(`confirmDecision.guaranteed.${action}`), value: money(totals.guaranteedCents) },
              ]}
            />
          ) : (
            !problem && <Spinner label={t('confirmDecision.loading')} />
          )}
          {problem}
          <p>{t(`confirmDecision.effect.${action}`, { count })}</p>
        </div>
        {children}
        <ButtonGroup>
          <Button type="submit" disabled={!totals || pending}>
            {pending ? t('decision.sending') : t(`confirmDecision.confirm.${action}`, { count })}
          </Button>
          <Button ref={cancelRef} variant="secondary" onClick={onCancel}>
            {t('decision.cancel')}
          </Button>
        </ButtonGroup>
      </form>
    </Dialog>
  );
}
