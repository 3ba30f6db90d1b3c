import type { TestGateway } from './gateway';

/**
 * Consent GRANTED over works, worldwide, through the API as their label (or internal) records it: usage
 * lines on them are then rated, where a denied line would be stored as a violation and never paid.
 */
export async function grantConsent(
  gateway: TestGateway,
  token: string,
  isrcs: string[],
  { useTypes = ['TRAINING'], validFrom = '2020-01-01T00:00:00Z' }: { useTypes?: string[]; validFrom?: string } = {},
): Promise<void> {
  const { body } = await gateway.request(token, `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { id } } }`, {
    input: {
      works: isrcs,
      state: 'GRANTED',
      useTypes,
      territories: ['WORLD'],
      validFrom,
      grantedBy: { name: 'Declared by the artist' },
      evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'ab'.repeat(32) },
    },
  });
  if (body.errors) throw new Error(body.errors[0].message);
}
