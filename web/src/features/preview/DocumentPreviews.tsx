// The request's documents, previewed in the page (shared office PCs: nothing left in a
// downloads folder). The bytes are fetched, their type is read from their first bytes
// (never from the server's or the file's say-so), then an image is shown from a blob:
// URL and a PDF is drawn by pdf.js into canvases: the document's content never runs.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/problem';
import { documentsQuery, type DocumentView } from '../../api/queries';
import { ProblemAlert } from '../../components/ProblemAlert';
import { formatDate } from '../../lib/dates';
import { Alert, Button, Spinner } from '../../ui';
import { matchesSignature, type DocumentType } from '../documents/rules';
import { formatSize } from '../documents/Documents';

export function DocumentPreviews({ requestId }: { requestId: string }) {
  const { t, i18n } = useTranslation();
  const documents = useQuery(documentsQuery(requestId));
  const [shown, setShown] = useState<DocumentView>();
  const available = (documents.data ?? []).filter((d) => d.status === 'available' && d.download_url);
  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">{t('documents.title')}</h2>
      {documents.isPending && <Spinner label={t('common.loading')} />}
      {documents.isError && isApiError(documents.error) && <ProblemAlert error={documents.error} onRetry={() => void documents.refetch()} />}
      {documents.data && available.length === 0 && <p>{t('documents.none')}</p>}
      {available.length > 0 && (
        <ul className="documents" aria-label={t('documents.listLabel')}>
          {available.map((d) => (
            <li key={d.id}>
              <span>
                <span className="documents__name">{d.filename}</span>
                <span className="ui-muted documents__meta">
                  {formatSize(d.size, i18n.language)} · {formatDate(d.created_at, i18n.language, true)}
                </span>
              </span>
              <Button variant="secondary" aria-expanded={shown?.id === d.id} onClick={() => setShown(shown?.id === d.id ? undefined : d)}>
                {shown?.id === d.id ? t('preview.hide') : t('preview.show')}
                <span className="ui-visually-hidden"> {d.filename}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
      {shown && <Preview key={shown.id} document={shown} />}
    </section>
  );
}

type Loaded =
  | { kind: 'image'; url: string }
  | { kind: 'pdf'; canvases: HTMLCanvasElement[]; pageCount: number }
  | { kind: 'unknown' }
  | { kind: 'error'; status: number };

function typeOfBytes(head: Uint8Array): DocumentType | undefined {
  return (['application/pdf', 'image/png', 'image/jpeg'] as const).find((type) => matchesSignature(type, head));
}

function Preview({ document: d }: { document: DocumentView }) {
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<Loaded>();
  const pagesRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    let revoke: (() => void) | undefined;
    void (async () => {
      try {
        const response = await fetch(d.download_url!, { signal: abort.signal, credentials: 'omit', referrerPolicy: 'no-referrer' });
        if (!response.ok) return setLoaded({ kind: 'error', status: response.status });
        const bytes = new Uint8Array(await response.arrayBuffer());
        const type = typeOfBytes(bytes.subarray(0, 8));
        if (type === 'application/pdf') {
          const { renderPdf } = await import('./pdfjs');
          const width = Math.max(280, Math.min(900, pagesRef.current?.clientWidth ?? 800));
          const pdf = await renderPdf(bytes, width);
          revoke = pdf.destroy;
          if (!abort.signal.aborted) setLoaded({ kind: 'pdf', canvases: pdf.canvases, pageCount: pdf.pageCount });
        } else if (type) {
          const url = URL.createObjectURL(new Blob([bytes], { type }));
          revoke = () => URL.revokeObjectURL(url);
          if (!abort.signal.aborted) setLoaded({ kind: 'image', url });
        } else setLoaded({ kind: 'unknown' });
      } catch (e) {
        if (!abort.signal.aborted) setLoaded(e instanceof DOMException && e.name === 'AbortError' ? undefined : { kind: 'error', status: 0 });
      }
    })();
    return () => {
      abort.abort();
      revoke?.();
    };
  }, [d.download_url]);

  // Canvases drawn by pdf.js are placed as they are, each named for screen readers.
  useEffect(() => {
    const box = pagesRef.current;
    if (!box || loaded?.kind !== 'pdf') return;
    box.replaceChildren(
      ...loaded.canvases.map((canvas, i) => {
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', t('preview.page', { n: i + 1, total: loaded.pageCount, name: d.filename }));
        canvas.className = 'preview__page';
        return canvas;
      }),
    );
  }, [loaded, d.filename, t]);

  useEffect(() => {
    if (loaded) headingRef.current?.focus();
  }, [loaded]);

  return (
    <section className="preview" aria-labelledby="preview-title" aria-busy={!loaded}>
      <h3 id="preview-title" ref={headingRef} tabIndex={-1}>
        {t('preview.title', { name: d.filename })}
      </h3>
      {!loaded && <Spinner label={t('preview.loading')} />}
      {loaded?.kind === 'image' && <img className="preview__image" src={loaded.url} alt={t('preview.imageAlt', { name: d.filename })} />}
      {loaded?.kind === 'pdf' && (
        <p className="ui-muted">
          {loaded.pageCount > loaded.canvases.length
            ? t('preview.pagesShown', { shown: loaded.canvases.length, count: loaded.pageCount })
            : t('preview.pages', { count: loaded.pageCount })}
        </p>
      )}
      <div ref={pagesRef} className="preview__pages" />
      {(loaded?.kind === 'unknown' || loaded?.kind === 'error') && (
        <Alert variant="warning" title={t('preview.failedTitle')}>
          <p>{loaded.kind === 'unknown' ? t('preview.unknown') : loaded.status === 403 || loaded.status === 410 ? t('preview.expired') : t('preview.failed')}</p>
        </Alert>
      )}
    </section>
  );
}
