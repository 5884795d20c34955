// Participating banks: the list (with each bank's four-eyes threshold), adding one (its
// field errors on its fields), setting a bank's threshold (euros typed, cents sent; empty:
// none), and creating a reviewer account for a bank (the created account shown).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { fieldErrorsByName, isApiError, type ApiError } from '../../api/problem';
import { banksQuery, grantThresholdQuery, keys, type Bank, type Reviewer } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { fieldErrorText } from '../../i18n/errors';
import { centsToInput, formatCents, parseEuros } from '../../lib/money';
import { Alert, Button, ErrorSummary, PageHeading, Select, Spinner, SummaryList, Table, TextInput, usePageTitle } from '../../ui';

export function BanksPage() {
  const { t } = useTranslation();
  const banks = useQuery(banksQuery);
  usePageTitle(t('banks.title'), t('service.name'));
  return (
    <>
      <PageHeading>{t('banks.title')}</PageHeading>
      {banks.isPending && <Spinner label={t('common.loading')} />}
      {banks.isError && isApiError(banks.error) && <ProblemAlert error={banks.error} onRetry={() => void banks.refetch()} />}
      <div className="ui-grid ui-grid--2">
        <div>
          {banks.data && (
            <Table<Bank>
              caption={t('banks.caption', { count: banks.data.length })}
              rows={[...banks.data].sort((a, b) => a.name.localeCompare(b.name, 'fr'))}
              rowKey={(b) => b.id}
              columns={[
                { key: 'id', header: t('banks.code'), label: t('banks.code'), cell: (b) => b.id },
                { key: 'name', header: t('banks.name'), label: t('banks.name'), rowHeader: true, cell: (b) => b.name },
                { key: 'threshold', header: t('banks.threshold.column'), label: t('banks.threshold.column'), numeric: true, cell: (b) => <Threshold bankId={b.id} /> },
              ]}
            />
          )}
        </div>
        <div>
          {banks.data && banks.data.length > 0 && <SetThreshold banks={banks.data} />}
          <AddBank />
          {banks.data && banks.data.length > 0 && <AddReviewer banks={banks.data} />}
        </div>
      </div>
    </>
  );
}

/** Field errors of a 422 by field, translated; and whether the problem belongs elsewhere. */
function useFieldErrors(error: ApiError | undefined, prefix: string) {
  const { t } = useTranslation();
  const byName = error ? fieldErrorsByName(error.fieldErrors) : {};
  const text = (field: string) => {
    const e = byName[field];
    return e ? fieldErrorText(t, `${prefix}.${field}`, e.code, e.message) : undefined;
  };
  return { text, fields: Object.keys(byName) };
}

function AddBank() {
  const { t } = useTranslation();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [mailbox, setMailbox] = useState('');
  const [attempt, setAttempt] = useState(0);
  const add = useMutation({
    mutationFn: async () =>
      (await unwrap(api.POST('/api/v1/banks', { body: { id: id.trim(), name: name.trim(), notification_email: mailbox.trim() || null } }))).data,
    onSuccess: () => {
      setId('');
      setName('');
      setMailbox('');
    },
    onError: () => setAttempt((n) => n + 1),
  });
  const error = add.error && isApiError(add.error) ? add.error : undefined;
  const { text, fields } = useFieldErrors(error, 'bank');
  const exists = error?.status === 409;
  const idError = text('id') ?? (exists ? t('banks.exists', { id: id.trim() }) : undefined);
  const summary = [...fields.map((f) => ({ target: `bank.${f}`, text: text(f)! })), ...(exists ? [{ target: 'bank.id', text: idError! }] : [])];
  return (
    <form
      noValidate
      aria-labelledby="add-bank-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!add.isPending) add.mutate();
      }}
    >
      <h2 id="add-bank-title">{t('banks.addTitle')}</h2>
      <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={attempt} />
      {add.isSuccess && (
        <Alert variant="success" live="status">
          <p>{t('banks.added', { name: add.data.name, id: add.data.id })}</p>
        </Alert>
      )}
      {error && !fields.length && !exists && <ProblemAlert error={error} />}
      <TextInput name="bank.id" label={t('banks.code')} hint={t('banks.codeHint')} width="w10" inputMode="numeric" autoComplete="off" value={id} onChange={(e) => setId(e.target.value)} error={idError} />
      <TextInput name="bank.name" label={t('banks.name')} hint={t('banks.nameHint')} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} error={text('name')} />
      <TextInput
        name="bank.notification_email"
        type="email"
        label={t('banks.mailbox')}
        hint={t('banks.mailboxHint')}
        autoComplete="off"
        spellCheck={false}
        value={mailbox}
        onChange={(e) => setMailbox(e.target.value)}
        error={text('notification_email')}
      />
      <Button type="submit" disabled={add.isPending}>
        {add.isPending ? t('banks.adding') : t('banks.add')}
      </Button>
    </form>
  );
}

function AddReviewer({ banks }: { banks: Bank[] }) {
  const { t } = useTranslation();
  const [bank, setBank] = useState('');
  const [email, setEmail] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [missingBank, setMissingBank] = useState(false);
  const create = useMutation({
    mutationFn: async (): Promise<Reviewer> =>
      (await unwrap(api.POST('/api/v1/banks/{id}/reviewers', { params: { path: { id: bank } }, body: { email: email.trim() } }))).data,
    onSuccess: () => setEmail(''),
    onError: () => setAttempt((n) => n + 1),
  });
  const error = create.error && isApiError(create.error) ? create.error : undefined;
  const { text, fields } = useFieldErrors(error, 'reviewer');
  const exists = error?.status === 409;
  const emailError = text('email') ?? (exists ? t('reviewers.exists') : undefined);
  const bankError = missingBank ? t('reviewers.bankRequired') : undefined;
  const summary = [
    ...(bankError ? [{ target: 'reviewer.bank', text: bankError }] : []),
    ...(emailError ? [{ target: 'reviewer.email', text: emailError }] : []),
  ];
  const bankName = (id: string) => banks.find((b) => b.id === id)?.name ?? id;
  return (
    <form
      noValidate
      aria-labelledby="add-reviewer-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!bank) {
          setMissingBank(true);
          setAttempt((n) => n + 1);
          return;
        }
        setMissingBank(false);
        if (!create.isPending) create.mutate();
      }}
    >
      <h2 id="add-reviewer-title">{t('reviewers.title')}</h2>
      <p className="ui-hint">{t('reviewers.intro')}</p>
      <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={attempt} />
      {create.isSuccess && (
        <Alert variant="success" title={t('reviewers.created')} live="status">
          <SummaryList
            noActions
            rows={[
              { key: 'email', label: t('reviewers.email'), value: create.data.email },
              { key: 'bank', label: t('reviewers.bank'), value: `${bankName(create.data.bank_id)} (${create.data.bank_id})` },
              { key: 'subject', label: t('reviewers.subject'), value: <code>{create.data.subject}</code> },
            ]}
          />
          <p>{t('reviewers.invited')}</p>
        </Alert>
      )}
      {error && !fields.length && !exists && <ProblemAlert error={error} />}
      <Select
        name="reviewer.bank"
        label={t('reviewers.bank')}
        placeholder={t('reviewers.chooseBank')}
        options={banks.map((b) => ({ value: b.id, label: `${b.name} (${b.id})` }))}
        value={bank}
        onChange={(e) => setBank(e.target.value)}
        error={bankError}
      />
      <TextInput name="reviewer.email" type="email" label={t('reviewers.email')} hint={t('reviewers.emailHint')} autoComplete="off" spellCheck={false} value={email} onChange={(e) => setEmail(e.target.value)} error={emailError} />
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? t('reviewers.creating') : t('reviewers.create')}
      </Button>
    </form>
  );
}

/** A bank's four-eyes threshold in words: an amount, or none. */
function Threshold({ bankId }: { bankId: string }) {
  const { t, i18n } = useTranslation();
  const threshold = useQuery(grantThresholdQuery(bankId));
  if (threshold.isPending) return <Spinner label={t('common.loading')} />;
  if (threshold.isError) return <>—</>;
  const cents = threshold.data.threshold_cents;
  return <>{cents == null ? t('banks.threshold.none') : formatCents(cents, i18n.language)}</>;
}

function SetThreshold({ banks }: { banks: Bank[] }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [bank, setBank] = useState('');
  const [amount, setAmount] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [local, setLocal] = useState<{ bank?: string; amount?: string }>({});
  const current = useQuery({ ...grantThresholdQuery(bank), enabled: bank !== '' });
  const save = useMutation({
    mutationFn: async (cents: number | null) =>
      (await unwrap(api.PUT('/api/v1/banks/{id}/grant-threshold', { params: { path: { id: bank } }, body: { threshold_cents: cents } }))).data,
    onSuccess: (saved) => queryClient.setQueryData(keys.grantThreshold(saved.bank_id), saved),
    onError: () => setAttempt((n) => n + 1),
  });
  const error = save.error && isApiError(save.error) ? save.error : undefined;
  const { text, fields } = useFieldErrors(error, 'bank');
  const amountError = local.amount ?? text('threshold');
  const summary = [
    ...(local.bank ? [{ target: 'threshold.bank', text: local.bank }] : []),
    ...(amountError ? [{ target: 'threshold.amount', text: amountError }] : []),
  ];
  const bankName = (id: string) => banks.find((b) => b.id === id)?.name ?? id;
  const shown = (cents: number | null | undefined) => (cents == null ? t('banks.threshold.none') : formatCents(cents, i18n.language));
  return (
    <form
      noValidate
      aria-labelledby="threshold-title"
      onSubmit={(e) => {
        e.preventDefault();
        const typed = amount.trim();
        const cents = typed === '' ? null : parseEuros(typed);
        const problems = { bank: bank ? undefined : t('reviewers.bankRequired'), amount: cents === undefined ? t('banks.threshold.invalid') : undefined };
        setLocal(problems);
        if (problems.bank || problems.amount) {
          setAttempt((n) => n + 1);
          return;
        }
        if (!save.isPending) save.mutate(cents ?? null);
      }}
    >
      <h2 id="threshold-title">{t('banks.threshold.title')}</h2>
      <p className="ui-hint">{t('banks.threshold.intro')}</p>
      <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={attempt} />
      {save.isSuccess && (
        <Alert variant="success" live="status">
          <p>
            {save.data.threshold_cents == null
              ? t('banks.threshold.removed', { bank: bankName(save.data.bank_id) })
              : t('banks.threshold.saved', { bank: bankName(save.data.bank_id), amount: shown(save.data.threshold_cents) })}
          </p>
        </Alert>
      )}
      {error && !fields.length && <ProblemAlert error={error} />}
      <Select
        name="threshold.bank"
        label={t('banks.threshold.bank')}
        placeholder={t('reviewers.chooseBank')}
        options={banks.map((b) => ({ value: b.id, label: `${b.name} (${b.id})` }))}
        value={bank}
        onChange={(e) => {
          const id = e.target.value;
          setBank(id);
          save.reset();
          setLocal({});
          // The chosen bank's threshold, to change from what it is (unless typed meanwhile).
          setAmount('');
          if (id)
            void queryClient
              .fetchQuery(grantThresholdQuery(id))
              .then((known) => setAmount((typed) => (typed === '' ? centsToInput(known.threshold_cents) : typed)))
              .catch(() => undefined);
        }}
        error={local.bank}
      />
      {bank && current.isSuccess && (
        <p>
          {t('banks.threshold.current')} <strong>{shown(current.data.threshold_cents)}</strong>
        </p>
      )}
      {current.isError && isApiError(current.error) && <ProblemAlert error={current.error} onRetry={() => void current.refetch()} />}
      <TextInput
        name="threshold.amount"
        label={t('banks.threshold.label')}
        hint={t('banks.threshold.hint')}
        width="w10"
        inputMode="decimal"
        autoComplete="off"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        error={amountError}
      />
      <Button type="submit" disabled={save.isPending}>
        {save.isPending ? t('banks.threshold.saving') : t('banks.threshold.save')}
      </Button>
    </form>
  );
}
