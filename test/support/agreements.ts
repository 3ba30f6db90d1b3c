import type { DataSource } from 'typeorm';
import { toGlobalId } from '../../src/common/relay/global-id';
import type { DemoPartner } from './demo';
import { tokenFor, type TestGateway } from './gateway';

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

/** A second distributor, holding only READ_CATALOG for the label: it may read agreements, not negotiate. */
export async function readOnlyDistributorFor(dataSource: DataSource, labelId: string): Promise<DemoPartner> {
  const [{ id }] = await dataSource.query(`INSERT INTO partner (name, type) VALUES ('Lowtide Distribution', 'DISTRIBUTOR') RETURNING id`);
  await dataSource.query(
    `INSERT INTO mandate (distributor_id, label_id, permissions, valid_from, granted_by)
     VALUES ($1, $2, '{READ_CATALOG}', now() - interval '1 day', $2)`,
    [id, labelId],
  );
  return { id, globalId: toGlobalId('Partner', id), token: tokenFor(id) };
}
