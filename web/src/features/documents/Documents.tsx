// The request's documents: the list with download links, and adding one with progress.
import type { TFunction } from 'i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, type ApiError } from '../../api/problem';
import { documentsQuery, keys, type DocumentView } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { apiDetail, problemText } from '../../i18n/errors';
import { formatDate } from '../../lib/dates';
import { Alert, Button, ErrorMessage, ProgressBar, Spinner } from '../../ui';
import { ACCEPT, checkDocument, MAX_DOCUMENTS, type DocumentProblem } from './rules';
import { uploadDocument } from './upload';

export function formatSize(bytes: number, lang: string) {
  const nf = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${nf.format(bytes)} ${lang === 'en' ? 'B' : 'o'}`;
  if (bytes < 1024 * 1024) return `${nf.format(bytes / 1024)} ${lang === 'en' ? 'KB' : 'Ko'}`;
  return `${nf.format(bytes / 1024 / 1024)} ${lang === 'en' ? 'MB' : 'Mo'}`;
}

export function Documents({ requestId, open }: { requestId: string; open: boolean }) {
  const { t, i18n } = useTranslation();
  const documents = useQuery(documentsQuery(requestId));
  const items = documents.data ?? [];
  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">{t('documents.title')}</h2>
      {documents.isPending && <Spinner label={t('common.loading')} />}
      {documents.isError && isApiError(documents.error) && <ProblemAlert error={documents.error} onRetry={() => void documents.refetch()} />}
      {documents.data && items.length === 0 && <p>{t('documents.none')}</p>}
      {items.length > 0 && (
        <ul className="documents" aria-label={t('documents.listLabel')}>
          {items.map((d: DocumentView) => (
            <li key={d.id}>
              {d.download_url && d.status === 'available' ? (
                <a href={d.download_url} download={d.filename}>
                  {d.filename}
                  <span className="ui-visually-hidden"> ({t('documents.download')})</span>
                </a>
              ) : (
                <span>{d.filename}</span>
              )}
              <span className="ui-muted">
                {formatSize(d.size, i18n.language)} · {formatDate(d.created_at, i18n.language, true)}
                {d.status !== 'available' && ` · ${t('documents.pending')}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {open ? <UploadForm requestId={requestId} count={items.filter((d) => d.status === 'available').length} /> : <p className="ui-muted">{t('documents.closed')}</p>}
    </section>
  );
}

type Failure = { kind: 'local'; code: DocumentProblem | 'no-file' } | { kind: 'api'; error: ApiError };

function UploadForm({ requestId, count }: { requestId: string; count: number }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const [progress, setProgress] = useState<number>();
  const [failure, setFailure] = useState<Failure>();
  const [done, setDone] = useState<string>();
  const announced = useRef(0);
  const [announcement, setAnnouncement] = useState('');

  const upload = useMutation({
    mutationFn: async (file: File) => {
      const checked = await checkDocument(file, count);
      if ('problem' in checked) throw checked.problem;
      announced.current = 0;
      return uploadDocument(requestId, file, checked.type, (f) => {
        const pct = Math.round(f * 100);
        setProgress(pct);
        // Announce every quarter, not every percent.
        if (pct >= announced.current + 25 || pct === 100) {
          announced.current = pct;
          setAnnouncement(t('documents.progress', { name: file.name, pct }));
        }
      });
    },
    onMutate: () => {
      setFailure(undefined);
      setDone(undefined);
      setProgress(undefined);
      setAnnouncement('');
    },
    onSuccess: (_doc, file) => {
      setDone(file.name);
      if (inputRef.current) inputRef.current.value = '';
      void queryClient.invalidateQueries({ queryKey: keys.documents(requestId) });
    },
    onError: (e) => {
      setProgress(undefined);
      setFailure(typeof e === 'string' ? { kind: 'local', code: e as DocumentProblem } : isApiError(e) ? { kind: 'api', error: e } : { kind: 'api', error: e as ApiError });
      inputRef.current?.focus();
    },
  });

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    const file = inputRef.current?.files?.[0];
    if (!file) {
      setFailure({ kind: 'local', code: 'no-file' });
      inputRef.current?.focus();
      return;
    }
    if (!upload.isPending) upload.mutate(file);
  };

  const fileName = upload.variables?.name ?? '';
  const localError = failure?.kind === 'local' ? t(`documents.errors.${failure.code}`, { max: MAX_DOCUMENTS }) : undefined;
  const apiError = failure?.kind === 'api' ? failure.error : undefined;
  const apiErrorText = apiError ? documentErrorText(t, apiError, i18n.language) : undefined;
  const detail = apiError && (apiError.status === 422 || apiError.status === 409) ? apiDetail(apiError, i18n.language) : undefined;
  const errorText = localError ?? apiErrorText;

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('documents.addTitle')}</h3>
      <div className={errorText ? 'ui-field ui-field--error' : 'ui-field'}>
        <label className="ui-label" htmlFor="f-document">
          {t('documents.fileLabel')}
        </label>
        <span className="ui-hint" id="f-document-hint">
          {t('documents.fileHint', { max: MAX_DOCUMENTS })}
        </span>
        {errorText && <ErrorMessage id="f-document-error">{errorText}</ErrorMessage>}
        <input
          ref={inputRef}
          id="f-document"
          name="document"
          type="file"
          className="ui-file"
          accept={ACCEPT}
          aria-describedby={['f-document-hint', errorText && 'f-document-error'].filter(Boolean).join(' ')}
          aria-invalid={errorText ? true : undefined}
        />
      </div>
      {detail && (
        <p className="ui-muted">
          {t('problems.detail')} {detail}
        </p>
      )}
      {progress !== undefined && upload.isPending && <ProgressBar label={t('documents.sending', { name: fileName })} value={progress} valueText={`${progress} %`} />}
      <p className="ui-visually-hidden" role="status">
        {announcement}
      </p>
      {done && (
        <Alert variant="success" live="status">
          <p>{t('documents.done', { name: done })}</p>
        </Alert>
      )}
      <Button type="submit" variant="secondary" disabled={upload.isPending}>
        {upload.isPending ? t('documents.uploading') : t('documents.upload')}
      </Button>
    </form>
  );
}

function documentErrorText(t: TFunction, e: ApiError, lang: string) {
  if (e.isNetwork || e.status === 429 || e.status === 503) return problemText(t, e, lang).text;
  const slug = e.slug ?? '';
  return t([`documents.errors.${slug}`, `problems.${slug}`, 'documents.errors.refused'], { max: MAX_DOCUMENTS });
}
