import type { DataSource } from 'typeorm';
import type { StoredAgreementState } from '../../src/agreements/agreement.entity';

/**
 * Agreements written directly in SQL, in the shape the agreements service stores them (the row, its
 * terms as version 1 in force, the selected works for SELECTED scope): for tests about decisions, which
 * need an agreement in a given state without walking the lifecycle.
 */
export interface AgreementFixture {
  licensor: string;
  licensee: string;
  actingDistributor?: string | null;
  state?: StoredAgreementState;
  useTypes?: string[];
  territories?: string[];
  excludedTerritories?: string[];
  startsAt?: Date;
  endsAt?: Date | null;
  /** Work uuids: SELECTED scope when given, ALL otherwise. */
  works?: string[];
}

export const PER_USE_EUR = { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.01' };

export async function insertAgreement(dataSource: DataSource, fixture: AgreementFixture): Promise<string> {
  return dataSource.transaction(async (manager) => {
    const [{ id }] = (await manager.query(
      `INSERT INTO agreement (licensor_id, acting_distributor_id, licensee_id, state, terms_in_force)
       VALUES ($1, $2, $3, $4, 1) RETURNING id`,
      [fixture.licensor, fixture.actingDistributor ?? null, fixture.licensee, fixture.state ?? 'ACTIVE'],
    )) as { id: string }[];
    await manager.query(
      `INSERT INTO agreement_terms (agreement_id, terms_version, use_types, territories, excluded_territories,
         starts_at, ends_at, catalog_scope, compensation, drafted_by)
       VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        id,
        fixture.useTypes ?? ['TRAINING'],
        fixture.territories ?? ['WORLD'],
        fixture.excludedTerritories ?? [],
        fixture.startsAt ?? new Date('2020-01-01T00:00:00Z'),
        fixture.endsAt ?? null,
        fixture.works ? 'SELECTED' : 'ALL',
        JSON.stringify(PER_USE_EUR),
        fixture.licensor,
      ],
    );
    if (fixture.works?.length) {
      await manager.query(
        `INSERT INTO agreement_work (agreement_id, terms_version, work_id) SELECT $1, 1, unnest($2::uuid[])`,
        [id, fixture.works],
      );
    }
    return id;
  });
}
