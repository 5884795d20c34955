// Rejecting needs a reason: a modal dialog whose form will not submit without one (the
// field says so and keeps focus); the API's refusal of the reason lands on the field.
// What is typed is kept in the tab (`keepAs`) until the rejection goes through or is
// cancelled: a sign-in redirect or a reload loses none of it.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useKeptText } from '../../draft/kept';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/problem';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Button, ButtonGroup, Dialog, Textarea } from '../../ui';

/** Words of the reason's field other than a rejection's (a pending grant sent back). */
interface ReasonWords {
  /** The field's label (default: the rejection's reason). */
  label?: string;
  hint?: string;
  /** Said at the field when nothing was typed. */
  missing?: string;
}

/** The reason to reject (or to send a pending grant back): the dialog refuses to submit without one. */
export function ReasonDialog({
  open,
  title,
  confirm,
  pending,
  error,
  onCancel,
  onConfirm,
  keepAs,
  note,
  ...words
}: ReasonWords & {
  /** Where the typed reason is kept (`reason:<request id>`, `reason:bulk`). */
  keepAs: string;
  /** What else the rejection does, said before the reason is asked. */
  note?: ReactNode;
  open: boolean;
  title: string;
  confirm: string;
  pending: boolean;
  error?: ApiError;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      {note}
      <ReasonForm {...words} keepAs={keepAs} confirm={confirm} pending={pending} error={error} onCancel={onCancel} onConfirm={onConfirm} />
    </Dialog>
  );
}

function ReasonForm({
  keepAs,
  confirm,
  pending,
  error,
  onCancel,
  onConfirm,
  label,
  hint,
  missing,
}: ReasonWords & {
  keepAs: string;
  confirm: string;
  pending: boolean;
  error?: ApiError;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useKeptText(keepAs);
  // Sent and not refused: nothing left to keep.
  const wasPending = useRef(pending);
  useEffect(() => {
    if (wasPending.current && !pending && !error) setReason('');
    wasPending.current = pending;
  }, [pending, error, setReason]);
  const [local, setLocal] = useState<string>();
  const ref = useRef<HTMLTextAreaElement>(null);
  const apiField = error?.fieldErrors.find((f) => f.field === 'reason');
  const fieldError = local ?? (apiField ? t([`fieldErrors.reason.${apiField.code}`, `errors.${apiField.code}`, 'errors.unknown'], { message: apiField.message }) : undefined);
  useEffect(() => {
    if (fieldError) ref.current?.focus();
  }, [fieldError]);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const text = reason.trim();
        if (!text) {
          setLocal(missing ?? t('fieldErrors.reason.required'));
          ref.current?.focus();
          return;
        }
        if (text.length > 2000) {
          setLocal(t('fieldErrors.reason.too-long'));
          ref.current?.focus();
          return;
        }
        setLocal(undefined);
        if (!pending) onConfirm(text);
      }}
    >
      <Textarea
        ref={ref}
        name="reason"
        label={label ?? t('decision.reasonLabel')}
        hint={hint ?? t('decision.reasonHint')}
        error={fieldError}
        value={reason}
        maxLength={2000}
        onChange={(e) => setReason(e.target.value)}
      />
      {error && !apiField && <ProblemAlert error={error} />}
      <ButtonGroup>
        <Button type="submit" variant="warning" disabled={pending}>
          {pending ? t('decision.sending') : confirm}
        </Button>
        <Button
          variant="secondary"
          onClick={() => {
            setReason('');
            onCancel();
          }}
        >
          {t('decision.cancel')}
        </Button>
      </ButtonGroup>
    </form>
  );
}

