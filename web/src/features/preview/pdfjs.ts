// PDF pages drawn into canvases by pdf.js, loaded only on the page that previews a
// document. Nothing of the document runs: no eval (isEvalSupported: false), no
// scripting, annotations (forms, links, JavaScript actions) not rendered; the bytes are
// parsed in pdf.js's worker, a file of our own origin.
import { AnnotationMode, getDocument, GlobalWorkerOptions } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

export const MAX_PAGES = 10;

export interface RenderedPdf {
  pageCount: number;
  /** One canvas per page drawn (at most MAX_PAGES). */
  canvases: HTMLCanvasElement[];
  destroy: () => void;
}

export async function renderPdf(bytes: Uint8Array, width: number): Promise<RenderedPdf> {
  const task = getDocument({
    data: bytes,
    isEvalSupported: false,
    enableXfa: false,
    disableAutoFetch: true,
    disableStream: true,
    stopAtErrors: false,
  });
  const pdf = await task.promise;
  const canvases: HTMLCanvasElement[] = [];
  const ratio = Math.min(2, globalThis.devicePixelRatio || 1);
  for (let n = 1; n <= Math.min(pdf.numPages, MAX_PAGES); n++) {
    const page = await pdf.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: (width / base.width) * ratio });
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    await page.render({ canvas, viewport, annotationMode: AnnotationMode.DISABLE }).promise;
    canvases.push(canvas);
  }
  return { pageCount: pdf.numPages, canvases, destroy: () => void task.destroy() };
}
