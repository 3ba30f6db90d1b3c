import type { TestGateway } from './gateway';

export const AGREEMENT_FIELDS = `id state version terminationReason
  terms { version status useTypes territories excludedTerritories startsAt endsAt catalogScope selectedIsrcs
          compensation { model currency ratePerUnit bps fee { amount minorUnits currency } period
                         minimumGuarantee { amount { amount minorUnits } period } } }
  pendingTerms { version status useTypes }
  licensor { name } licensee { name } actingDistributor { name }`;

export function termsInput(overrides: Record<string, unknown> = {}) {
  return {
    useTypes: ['TRAINING', 'FINE_TUNING'],
    territories: ['WORLD'],
    excludedTerritories: ['KP'],
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt: '2030-01-01T00:00:00.000Z',
    catalogScope: 'ALL',
    compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0125', minimumGuarantee: { amount: '1000.00', period: 'MONTH' } },
    ...overrides,
  };
}

/** Calls an agreement mutation over HTTP and returns its payload or its first error. */
export async function agreementCall(
  gateway: TestGateway,
  token: string,
  mutation: string,
  input: Record<string, unknown>,
): Promise<{ agreement?: any; error?: { code: string; message: string; extensions: any } }> { // any: the selection is AGREEMENT_FIELDS
  const inputType =
    mutation === 'createAgreement'
      ? 'CreateAgreementInput'
      : mutation === 'updateAgreementDraft' || mutation === 'amendAgreement'
        ? 'AgreementTermsChangeInput'
        : 'AgreementChangeInput';
  const { body } = await gateway.request(token, `mutation($input: ${inputType}!) { ${mutation}(input: $input) { ${AGREEMENT_FIELDS} } }`, {
    input,
  });
  if (body.errors) {
    const [error] = body.errors;
    return { error: { code: error.extensions.code, message: error.message, extensions: error.extensions } };
  }
  return { agreement: body.data[mutation] };
}
