// What the API accepts as a supporting document (docs/RULES.md §15), checked before anything is
// sent: type by extension and by the file's first bytes, size, and count.
import { isOneOf, keysOf } from '../../lib/oneOf';

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
export const MAX_DOCUMENTS = 20;

const TYPES = {
  'application/pdf': { extensions: ['pdf'], magic: [[0x25, 0x50, 0x44, 0x46, 0x2d]] },
  'image/png': { extensions: ['png'], magic: [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]] },
  'image/jpeg': { extensions: ['jpg', 'jpeg'], magic: [[0xff, 0xd8, 0xff]] },
} as const;
export type DocumentType = keyof typeof TYPES;

export const ACCEPT = '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg';

export type DocumentProblem = 'document-type' | 'document-too-large' | 'document-empty' | 'document-too-many' | 'document-content-mismatch' | 'document-name';

/** The content type a file's name declares, if it is one we take. */
export function typeOfName(name: string): DocumentType | undefined {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return keysOf(TYPES).find((t) => isOneOf(TYPES[t].extensions, ext));
}

export function matchesSignature(type: DocumentType, head: Uint8Array): boolean {
  return TYPES[type].magic.some((sig) => sig.every((byte, i) => head[i] === byte));
}

/** Checks a picked file; resolves to its content type, or to the problem. */
export async function checkDocument(file: File, alreadyAttached: number): Promise<{ type: DocumentType } | { problem: DocumentProblem }> {
  if (alreadyAttached >= MAX_DOCUMENTS) return { problem: 'document-too-many' };
  if (file.name.length > 255 || /[/\\]/.test(file.name)) return { problem: 'document-name' };
  const type = typeOfName(file.name);
  if (!type) return { problem: 'document-type' };
  if (file.size === 0) return { problem: 'document-empty' };
  if (file.size > MAX_DOCUMENT_BYTES) return { problem: 'document-too-large' };
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (!matchesSignature(type, head)) return { problem: 'document-content-mismatch' };
  return { type };
}
