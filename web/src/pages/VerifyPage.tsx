// The public check of a State guarantee (docs/RULES.md §20), no sign-in needed: anyone
// holding an identifier (a bank, an auditor, the company) and the company's SIREN learns
// whether the guarantee is valid, used (the loan granted) or cancelled, and nothing
// else. The attestation prints this page's address. Both fields are checked as typed (a
// mistyped character of the identifier is caught by its check symbol); the API's
// refusals land on their fields; a wrong pair gets one answer whichever is wrong; too
// many checks say how long to wait.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { fieldErrorsByName, isApiError } from '../api/problem';
import { ProblemAlert } from '../components/ProblemAlert';
import { WithExample } from '../components/WithExample';
import { fieldErrorText, retryText } from '../i18n/errors';
import { canonicalGuaranteeIdentifier, guaranteeIdentifierError } from '../lib/guarantee';
import { sirenError, stripSpaces } from '../lib/identifiers';
import { Alert, Button, ErrorSummary, PageHeading, TextInput, usePageTitle, type SummaryError } from '../ui';

type Field = 'identifier' | 'siren';
const FIELDS: Field[] = ['identifier', 'siren'];

export function VerifyPage() {
  const { t } = useTranslation();
  usePageTitle(t('verify.title'), t('service.name'));
  const [identifier, setIdentifier] = useState('');
  const [siren, setSiren] = useState('');
  // The codes of the checks made here, per field; and each attempt (the summary takes focus again).
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const [attempts, setAttempts] = useState(0);
  const check = useMutation({
    mutationFn: async (body: { identifier: string; siren: string }) => (await unwrap(api.POST('/api/v1/guarantee-checks', { body }))).data,
  });
  const error = check.error && isApiError(check.error) ? check.error : undefined;
  const refused = error?.status === 422 ? fieldErrorsByName(error.fieldErrors) : {};
  const errorText = (name: Field): string | undefined => {
    const code = local[name] ?? refused[name]?.code;
    if (!code) return undefined;
    const message = local[name] ? undefined : refused[name]?.message;
    // The SIREN's words are the request's (same field, same codes).
    return name === 'siren' ? fieldErrorText(t, 'company.siren', code, message) : fieldErrorText(t, 'identifier', code, message);
  };
  const summary: SummaryError[] = FIELDS.flatMap((name) => {
    const text = errorText(name);
    return text ? [{ target: name, text }] : [];
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: Partial<Record<Field, string>> = {};
    const identifierCode = guaranteeIdentifierError(identifier);
    const sirenCode = sirenError(siren);
    if (identifierCode) found.identifier = identifierCode;
    if (sirenCode) found.siren = sirenCode;
    setLocal(found);
    setAttempts((n) => n + 1);
    if (identifierCode || sirenCode) {
      check.reset();
      return;
    }
    if (!check.isPending) check.mutate({ identifier: identifier.trim(), siren: stripSpaces(siren) });
  };

  const asked = check.variables;
  const checkedAs = asked && t('verify.checked', { identifier: canonicalGuaranteeIdentifier(asked.identifier) ?? asked.identifier, siren: asked.siren });
  return (
    <div className="ui-measure">
      <ErrorSummary title={t('errors.summaryTitle')} errors={summary} focusKey={attempts} />
      <PageHeading>{t('verify.title')}</PageHeading>
      <p>{t('verify.intro')}</p>
      <form noValidate onSubmit={submit}>
        <TextInput
          name="identifier"
          label={t('verify.identifierLabel')}
          hint={<WithExample text={t('verify.identifierHint')} />}
          error={errorText('identifier')}
          value={identifier}
          onChange={(e) => setIdentifier(e.target.value)}
          className="identifier-input"
          width="w30"
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="characters"
          spellCheck={false}
        />
        <TextInput
          name="siren"
          label={t('verify.sirenLabel')}
          hint={t('verify.sirenHint')}
          error={errorText('siren')}
          value={siren}
          onChange={(e) => setSiren(e.target.value)}
          width="w10"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
        />
        <Button type="submit" disabled={check.isPending}>
          {check.isPending ? t('verify.checking') : t('verify.submit')}
        </Button>
      </form>
      {/* Always there, so that each answer is announced when it arrives. */}
      <div className="verify__result" aria-live="polite">
        {check.isSuccess && (
          <Alert variant={check.data.status === 'valid' ? 'success' : check.data.status === 'used' ? 'info' : 'warning'} title={t(`verify.result.${check.data.status}.title`)}>
            <p>{t(`verify.result.${check.data.status}.text`)}</p>
            <p className="ui-muted">{checkedAs}</p>
          </Alert>
        )}
        {error?.status === 404 && (
          <Alert variant="error" title={t('verify.result.notFound.title')}>
            <p>{t('verify.result.notFound.text')}</p>
            <p className="ui-muted">{checkedAs}</p>
          </Alert>
        )}
        {error?.status === 429 && (
          <Alert variant="warning" title={t('verify.rateLimitedTitle')}>
            <p>
              {t('verify.rateLimited')} {retryText(t, error.retryAfter)}
            </p>
          </Alert>
        )}
      </div>
      {error && ![404, 422, 429].includes(error.status) && <ProblemAlert error={error} />}
      {error?.status === 422 && summary.length === 0 && <ProblemAlert error={error} />}
    </div>
  );
}
