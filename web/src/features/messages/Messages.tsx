// The conversation between the applicant and their bank about one request: oldest first,
// who wrote and when; an answer form (the API's refusal of the text lands on the field).
// Reading it marks the other side's messages as read. The platform's admins read the
// thread (both sides named), never write in it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { isApiError } from '../../api/problem';
import { keys, messagesQuery, type Message } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { fieldErrorText } from '../../i18n/errors';
import { formatDate } from '../../lib/dates';
import { useKeptText } from '../../draft/kept';
import { Alert, Button, Spinner, Textarea } from '../../ui';

export const MAX_MESSAGE = 5000;

/** `undefined` when the text can be sent; else the API's code for `body`. */
export function messageProblem(body: string): 'required' | 'too-long' | 'invalid-format' | undefined {
  if (body.trim() === '') return 'required';
  if ([...body].length > MAX_MESSAGE) return 'too-long';
  // Control characters other than line breaks and tabs are refused.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(body)) return 'invalid-format';
  return undefined;
}

export function Messages({ requestId, viewer, canWrite, intro }: { requestId: string; viewer: 'applicant' | 'bank' | 'admin'; canWrite: boolean; intro?: React.ReactNode }) {
  const { t, i18n } = useTranslation();
  const messages = useQuery(messagesQuery(requestId));
  const items = messages.data ?? [];
  const who = (m: Message) => (m.from === viewer ? t('messages.you') : t(`messages.from.${m.from}`));
  return (
    <section aria-labelledby="messages-title" className="messages">
      <h2 id="messages-title">{t('messages.title')}</h2>
      {intro}
      {messages.isPending && <Spinner label={t('common.loading')} />}
      {messages.isError && isApiError(messages.error) && <ProblemAlert error={messages.error} onRetry={() => void messages.refetch()} />}
      {messages.data && items.length === 0 && <p>{t('messages.none')}</p>}
      {items.length > 0 && (
        <ol className="messages__list" aria-label={t('messages.listLabel')}>
          {items.map((m) => (
            <li key={m.id} className={m.from === viewer ? 'messages__item messages__item--mine' : 'messages__item'}>
              <p className="messages__meta">
                <strong>{who(m)}</strong> · <time dateTime={m.at}>{formatDate(m.at, i18n.language, true)}</time>
              </p>
              <p className="messages__body">{m.body}</p>
            </li>
          ))}
        </ol>
      )}
      {canWrite && viewer !== 'admin' && <MessageForm requestId={requestId} viewer={viewer} />}
    </section>
  );
}

function MessageForm({ requestId, viewer }: { requestId: string; viewer: 'applicant' | 'bank' }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [body, setBody] = useKeptText(`message:${requestId}`);
  const [local, setLocal] = useState<string>();
  const [sent, setSent] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const send = useMutation({
    mutationFn: async (text: string) =>
      (await unwrap(api.POST('/api/v1/loan-requests/{id}/messages', { params: { path: { id: requestId } }, body: { body: text } }))).data,
    onMutate: () => setSent(false),
    onSuccess: (message) => {
      queryClient.setQueryData<Message[]>(keys.messages(requestId), (old) => [...(old ?? []), message]);
      setBody('');
      setSent(true);
    },
  });
  const error = send.error && isApiError(send.error) ? send.error : undefined;
  const apiField = error?.fieldErrors.find((f) => f.field === 'body');
  const fieldError = local ?? (apiField ? fieldErrorText(t, 'body', apiField.code, apiField.message) : undefined);
  useEffect(() => {
    if (fieldError) ref.current?.focus();
  }, [fieldError, send.failureCount]);
  return (
    <form
      noValidate
      aria-labelledby="message-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        const problem = messageProblem(body);
        if (problem) {
          setLocal(fieldErrorText(t, 'body', problem));
          ref.current?.focus();
          return;
        }
        setLocal(undefined);
        if (!send.isPending) send.mutate(body);
      }}
    >
      <h3 id="message-form-title">{viewer === 'bank' ? t('messages.writeToApplicant') : t('messages.writeToBank')}</h3>
      <Textarea
        ref={ref}
        name="body"
        label={t('messages.bodyLabel')}
        hint={t('messages.bodyHint', { max: MAX_MESSAGE.toLocaleString(t('common.locale')) })}
        error={fieldError}
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      {error && !apiField && <ProblemAlert error={error} />}
      {sent && (
        <Alert variant="success" live="status">
          <p>{t('messages.sent')}</p>
        </Alert>
      )}
      <Button type="submit" disabled={send.isPending}>
        {send.isPending ? t('messages.sending') : t('messages.send')}
      </Button>
    </form>
  );
}
