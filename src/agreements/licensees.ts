import type { EntityManager } from 'typeorm';
import { groupBy } from '../common/group-by';

/**
 * The AI partners licensing a work through one of its owners, for change events that can turn their
 * decisions: an ACTIVE or SUSPENDED agreement (a suspension ends, and its pipeline must still hear of a
 * change meanwhile), in term, whose catalog includes the work. `holdings` is a FROM item aliased `h`, with
 * columns `key`, `work_id` and `label_id` (an owner of the work); the statement yields `key` and `partner_id`.
 */
export function licenseesOfHoldings(holdings: string): string {
  return `SELECT h.key, ag.licensee_id AS partner_id
    FROM ${holdings}
    JOIN agreement ag ON ag.licensor_id = h.label_id AND ag.state IN ('ACTIVE', 'SUSPENDED')
    JOIN agreement_terms t ON t.agreement_id = ag.id AND t.terms_version = ag.terms_in_force
    WHERE (t.ends_at IS NULL OR t.ends_at > now())
      AND (t.catalog_scope = 'ALL' OR EXISTS (
        SELECT 1 FROM agreement_work aw
        WHERE aw.agreement_id = ag.id AND aw.terms_version = t.terms_version AND aw.work_id = h.work_id))`;
}

export interface Holding {
  workId: string;
  labelId: string;
}

/** The licensees of each work through the given owners (see licenseesOfHoldings), by work id. */
export async function licenseesOfWorks(manager: EntityManager, holdings: readonly Holding[]): Promise<Map<string, string[]>> {
  if (holdings.length === 0) return new Map();
  const rows = (await manager.query(
    licenseesOfHoldings('unnest($1::uuid[], $1::uuid[], $2::uuid[]) AS h(key, work_id, label_id)'),
    [holdings.map((h) => h.workId), holdings.map((h) => h.labelId)],
  )) as { key: string; partner_id: string }[];
  return new Map([...groupBy(rows, (row) => row.key)].map(([workId, licensees]) => [workId, licensees.map((row) => row.partner_id)]));
}
