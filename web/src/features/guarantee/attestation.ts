// The guarantee's attestation (PDF): the bearer token is needed, so the file is fetched,
// then saved as a Blob.
import { api, saveBlob, unwrap } from '../../api/client';

export const attestationFilename = (identifier: string | null | undefined) => `attestation-${identifier ?? 'garantie'}.pdf`;

export async function downloadAttestation(requestId: string, identifier: string | null | undefined) {
  const { data } = await unwrap(api.GET('/api/v1/loan-requests/{id}/guarantee/attestation', { params: { path: { id: requestId } }, parseAs: 'blob' }));
  saveBlob(data, attestationFilename(identifier));
}
