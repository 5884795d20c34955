// The request's documents: the list with download links (and, for documents whose upload was
// never finished, a Remove button), and adding several files at once, each with its own
// progress, Cancel and Retry.
import type { TFunction } from 'i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isApiError } from '../../api/problem';
import { documentsQuery, keys, type DocumentView } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { apiDetail, problemText } from '../../i18n/errors';
import { formatDate } from '../../lib/dates';
import { Alert, Button, ErrorMessage, ProgressBar, Spinner } from '../../ui';
import { ACCEPT, checkDocument, MAX_DOCUMENTS, type DocumentProblem } from './rules';
import { removeDocument, uploadDocument } from './upload';

/** Uploads sent at the same time; the others wait their turn. */
export const PARALLEL_UPLOADS = 2;

export function formatSize(bytes: number, lang: string) {
  const nf = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${nf.format(bytes)} ${lang === 'en' ? 'B' : 'o'}`;
  if (bytes < 1024 * 1024) return `${nf.format(bytes / 1024)} ${lang === 'en' ? 'KB' : 'Ko'}`;
  return `${nf.format(bytes / 1024 / 1024)} ${lang === 'en' ? 'MB' : 'Mo'}`;
}

export function Documents({ requestId, open }: { requestId: string; open: boolean }) {
  const { t } = useTranslation();
  const documents = useQuery(documentsQuery(requestId));
  const items = documents.data ?? [];
  // One live region for the section: progress by quarters, cancellations, failures, removals.
  const [announcement, setAnnouncement] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">{t('documents.title')}</h2>
      {documents.isPending && <Spinner label={t('common.loading')} />}
      {documents.isError && isApiError(documents.error) && <ProblemAlert error={documents.error} onRetry={() => void documents.refetch()} />}
      {documents.data && items.length === 0 && <p>{t('documents.none')}</p>}
      {items.length > 0 && (
        <ul className="documents" aria-label={t('documents.listLabel')}>
          {items.map((d: DocumentView) => (
            <DocumentItem key={d.id} requestId={requestId} document={d} announce={setAnnouncement} afterRemoval={() => inputRef.current?.focus()} />
          ))}
        </ul>
      )}
      <p className="ui-visually-hidden" role="status">
        {announcement}
      </p>
      {open ? <UploadForm requestId={requestId} listed={items} inputRef={inputRef} announce={setAnnouncement} /> : <p className="ui-muted">{t('documents.closed')}</p>}
    </section>
  );
}

function DocumentItem({
  requestId,
  document: d,
  announce,
  afterRemoval,
}: {
  requestId: string;
  document: DocumentView;
  announce: (text: string) => void;
  afterRemoval: () => void;
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => removeDocument(requestId, d.id),
    onSuccess: () => {
      announce(t('documents.removed', { name: d.filename }));
      afterRemoval();
    },
    onError: (e) => isApiError(e) && announce(t('documents.removeFailed', { name: d.filename, reason: documentErrorText(t, e, i18n.language) })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.documents(requestId) }),
  });
  const pending = d.status !== 'available';
  return (
    <li>
      {d.download_url && !pending ? (
        <a href={d.download_url} download={d.filename}>
          {d.filename}
          <span className="ui-visually-hidden"> ({t('documents.download')})</span>
        </a>
      ) : (
        <span className="documents__name">{d.filename}</span>
      )}
      <span className="ui-muted">
        {formatSize(d.size, i18n.language)} · {formatDate(d.created_at, i18n.language, true)}
        {pending && ` · ${t('documents.pending')}`}
      </span>
      {pending && (
        <Button variant="secondary" className="documents__action" aria-label={t('documents.removeFile', { name: d.filename })} disabled={remove.isPending} onClick={() => remove.mutate()}>
          {remove.isPending ? t('documents.removing') : t('documents.remove')}
        </Button>
      )}
      {remove.isError && isApiError(remove.error) && (
        <ErrorMessage id={`remove-${d.id}-error`}>{t('documents.removeFailed', { name: d.filename, reason: documentErrorText(t, remove.error, i18n.language) })}</ErrorMessage>
      )}
    </li>
  );
}

type Failure = { kind: 'local'; code: DocumentProblem | 'no-file' } | { kind: 'api'; error: ApiError };

/** One file picked for upload: waiting its turn, being sent, or failed (done and cancelled ones leave the list). */
type Upload = { key: string; file: File; phase: 'queued' | 'sending' | 'failed'; progress?: number; failure?: Failure; documentId?: string };

/** A file refused before anything is sent (its type, size…), thrown to the upload's `catch`. */
class RefusedFile extends Error {
  constructor(readonly code: DocumentProblem) {
    super(code);
  }
}

function UploadForm({
  requestId,
  listed,
  inputRef,
  announce,
}: {
  requestId: string;
  listed: DocumentView[];
  inputRef: React.RefObject<HTMLInputElement | null>;
  announce: (text: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const id = useId();
  const [uploads, setUploads] = useState<Upload[]>([]);
  // The same list, for the event handlers and the uploads' callbacks, which start the next
  // ones (never read while rendering).
  const queue = useRef<Upload[]>([]);
  const [fieldError, setFieldError] = useState<'no-file'>();
  const [picked, setPicked] = useState(0);
  const [done, setDone] = useState<string[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  // Each file picked gets a key of its own, for the list and its controller.
  const uploadKeys = useRef(0);

  const change = (next: (all: Upload[]) => Upload[]) => {
    queue.current = next(queue.current);
    setUploads(queue.current);
  };
  const update = (key: string, patch: Partial<Upload>) => change((all) => all.map((u) => (u.key === key ? { ...u, ...patch } : u)));
  const drop = (key: string) => change((all) => all.filter((u) => u.key !== key));
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.documents(requestId) });

  // Starts the waiting uploads, a few at a time, in the order they were picked.
  const pump = () => {
    let sending = queue.current.filter((u) => u.phase === 'sending').length;
    for (const u of queue.current) {
      if (sending >= PARALLEL_UPLOADS) break;
      if (u.phase !== 'queued') continue;
      sending += 1;
      update(u.key, { phase: 'sending', progress: 0 });
      void run(u);
    }
  };

  const run = async ({ key, file }: Upload) => {
    const controller = new AbortController();
    controllers.current.set(key, controller);
    let documentId: string | undefined;
    let quarter = 0;
    try {
      const checked = await checkDocument(file, 0);
      if ('problem' in checked) throw new RefusedFile(checked.problem);
      controller.signal.throwIfAborted();
      await uploadDocument(
        requestId,
        file,
        checked.type,
        (f) => {
          const pct = Math.round(f * 100);
          update(key, { progress: pct });
          // Announce every quarter, not every percent.
          if (pct >= quarter + 25 || (pct === 100 && quarter < 100)) {
            quarter = pct;
            announce(t('documents.progress', { name: file.name, pct }));
          }
        },
        controller.signal,
        (announced) => {
          documentId = announced;
          update(key, { documentId: announced });
        },
      );
      drop(key);
      setDone((names) => [...names, file.name]);
    } catch (e) {
      // What was announced and not confirmed goes: nothing is left behind (a document
      // confirmed meanwhile stays, the API refusing to remove it).
      if (documentId) await removeDocument(requestId, documentId).catch(() => undefined);
      if (controller.signal.aborted) {
        drop(key);
        announce(t('documents.cancelled', { name: file.name }));
        inputRef.current?.focus();
      } else {
        // Anything else than a refusal or the API's answer failed on the way: as a network failure.
        const failure: Failure = e instanceof RefusedFile ? { kind: 'local', code: e.code } : { kind: 'api', error: isApiError(e) ? e : new ApiError(0, undefined) };
        update(key, { phase: 'failed', failure, progress: undefined, documentId: undefined });
        announce(t('documents.failed', { name: file.name, reason: failureText(t, failure, i18n.language) }));
      }
    } finally {
      controllers.current.delete(key);
      refresh();
      pump();
    }
  };

  // Leaving the page cancels what is still being sent.
  useEffect(() => {
    const current = controllers.current;
    return () => current.forEach((c) => c.abort());
  }, []);

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const files = Array.from(inputRef.current?.files ?? []);
    if (files.length === 0) {
      setFieldError('no-file');
      inputRef.current?.focus();
      return;
    }
    setFieldError(undefined);
    setDone([]);
    // Within the per-request limit: documents listed (pending ones count) and uploads not listed yet.
    const listedIds = new Set(listed.map((d) => d.id));
    const inFlight = queue.current.filter((u) => u.phase !== 'failed' && !(u.documentId && listedIds.has(u.documentId))).length;
    let room = MAX_DOCUMENTS - listed.length - inFlight;
    const added: Upload[] = files.map((file) => {
      const key = `upload-${++uploadKeys.current}`;
      if (room <= 0) return { key, file, phase: 'failed', failure: { kind: 'local', code: 'document-too-many' } };
      room -= 1;
      return { key, file, phase: 'queued' };
    });
    change((all) => [...all, ...added]);
    if (inputRef.current) inputRef.current.value = '';
    setPicked(0);
    pump();
  };

  const cancel = (u: Upload) => {
    const controller = controllers.current.get(u.key);
    if (controller) controller.abort();
    else {
      drop(u.key);
      announce(t('documents.cancelled', { name: u.file.name }));
      inputRef.current?.focus();
    }
  };
  const retry = (u: Upload) => {
    update(u.key, { phase: 'queued', failure: undefined, progress: undefined });
    pump();
    // Its Retry button gives way to Cancel: focus follows.
    setTimeout(() => document.getElementById(`${u.key}-cancel`)?.focus());
  };
  const dismiss = (u: Upload) => {
    drop(u.key);
    inputRef.current?.focus();
  };

  const fieldErrorText = fieldError ? t(`documents.errors.${fieldError}`) : undefined;

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('documents.addTitle')}</h3>
      <div className={fieldErrorText ? 'ui-field ui-field--error' : 'ui-field'}>
        <label className="ui-label" htmlFor="f-document">
          {t('documents.fileLabel')}
        </label>
        <span className="ui-hint" id="f-document-hint">
          {t('documents.fileHint', { max: MAX_DOCUMENTS })}
        </span>
        {fieldErrorText && <ErrorMessage id="f-document-error">{fieldErrorText}</ErrorMessage>}
        <input
          ref={inputRef}
          id="f-document"
          name="document"
          type="file"
          multiple
          className="ui-file"
          accept={ACCEPT}
          onChange={(e) => setPicked(e.currentTarget.files?.length ?? 0)}
          aria-describedby={['f-document-hint', fieldErrorText && 'f-document-error'].filter(Boolean).join(' ')}
          aria-invalid={fieldErrorText ? true : undefined}
        />
      </div>
      {uploads.length > 0 && (
        <ul className="uploads" aria-label={t('documents.uploadsLabel')}>
          {uploads.map((u) => (
            <li key={u.key} className={u.phase === 'failed' ? 'uploads__item uploads__item--failed' : 'uploads__item'}>
              {u.phase === 'sending' ? (
                <ProgressBar label={t('documents.sending', { name: u.file.name })} value={u.progress ?? 0} valueText={`${u.progress ?? 0} %`} />
              ) : (
                <p className="uploads__name">
                  {u.file.name} <span className="ui-muted">· {formatSize(u.file.size, i18n.language)}</span>
                </p>
              )}
              {u.phase === 'queued' && <p className="ui-muted uploads__status">{t('documents.queued')}</p>}
              {u.phase === 'failed' && u.failure && (
                <>
                  <ErrorMessage id={`${u.key}-error`}>{failureText(t, u.failure, i18n.language)}</ErrorMessage>
                  {u.failure.kind === 'api' && (u.failure.error.status === 422 || u.failure.error.status === 409) && apiDetail(u.failure.error, i18n.language) && (
                    <p className="ui-muted">
                      {t('problems.detail')} {apiDetail(u.failure.error, i18n.language)}
                    </p>
                  )}
                </>
              )}
              <div className="uploads__actions">
                {u.phase === 'failed' ? (
                  <>
                    <Button variant="secondary" aria-label={t('documents.retryFile', { name: u.file.name })} aria-describedby={`${u.key}-error`} onClick={() => retry(u)}>
                      {t('documents.retry')}
                    </Button>
                    <Button variant="secondary" aria-label={t('documents.dismissFile', { name: u.file.name })} onClick={() => dismiss(u)}>
                      {t('documents.dismiss')}
                    </Button>
                  </>
                ) : (
                  <Button
                    variant="secondary"
                    id={`${u.key}-cancel`}
                    aria-label={t('documents.cancelFile', { name: u.file.name })}
                    onClick={() => cancel(u)}
                  >
                    {t('documents.cancel')}
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {done.length > 0 && (
        <Alert variant="success" live="status">
          {done.map((name, i) => (
            <p key={`${i}-${name}`}>{t('documents.done', { name })}</p>
          ))}
        </Alert>
      )}
      <Button type="submit" variant="secondary">
        {picked > 1 ? t('documents.uploadMany', { count: picked }) : t('documents.upload')}
      </Button>
    </form>
  );
}

function failureText(t: TFunction, failure: Failure, lang: string) {
  return failure.kind === 'local' ? t(`documents.errors.${failure.code}`, { max: MAX_DOCUMENTS }) : documentErrorText(t, failure.error, lang);
}

function documentErrorText(t: TFunction, e: ApiError, lang: string) {
  if (e.isNetwork || e.status === 429 || e.status === 503) return problemText(t, e, lang).text;
  const slug = e.slug ?? '';
  return t([`documents.errors.${slug}`, `problems.${slug}`, 'documents.errors.refused'], { max: MAX_DOCUMENTS });
}
