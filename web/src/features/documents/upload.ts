// Announce → upload straight to the signed URL (XMLHttpRequest, for progress) → confirm.
import { api, unwrap } from '../../api/client';
import { ApiError, parseRetryAfter, problemOf } from '../../api/problem';
import type { DocumentType } from './rules';

// Headers a page may not set; the browser sets them itself (Content-Length from the body).
const FORBIDDEN = new Set(['content-length', 'host', 'connection', 'accept-encoding', 'cookie', 'origin', 'referer']);

export function putWithProgress(
  url: string,
  method: string,
  headers: Record<string, string>,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      reject(new ApiError(xhr.status, problemOf(body), parseRetryAfter(xhr.getResponseHeader('Retry-After'))));
    };
    xhr.onerror = () => reject(new ApiError(0, undefined));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(file);
  });
}

export async function uploadDocument(
  requestId: string,
  file: File,
  type: DocumentType,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
  onAnnounced?: (documentId: string) => void,
) {
  const path = { id: requestId };
  const { data: slot } = await unwrap(
    api.POST('/api/v1/loan-requests/{id}/documents', { params: { path }, body: { filename: file.name, content_type: type, size: file.size }, signal }),
  );
  onAnnounced?.(slot.document_id);
  await putWithProgress(slot.upload_url, slot.upload_method || 'PUT', slot.upload_headers ?? {}, file, onProgress, signal);
  const { data } = await unwrap(
    api.POST('/api/v1/loan-requests/{id}/documents/{document_id}/complete', { params: { path: { ...path, document_id: slot.document_id } }, signal }),
  );
  return data;
}

/** Removes a document not confirmed yet (a cancelled or failed upload's, or one left pending). */
export async function removeDocument(requestId: string, documentId: string) {
  await unwrap(api.DELETE('/api/v1/loan-requests/{id}/documents/{document_id}', { params: { path: { id: requestId, document_id: documentId } } }));
}
