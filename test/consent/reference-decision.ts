import { coversTerritory } from '../../src/common/scalars/territory';

/**
 * The decision rule of DESIGN.md written as plainly as possible over in-memory facts, to check the SQL
 * engine against. No indexes, no cleverness: filter, then look.
 */
export interface ReferenceWork {
  id: string;
  isrc: string;
  owners: string[];
  mainArtists: string[];
}

export interface ReferenceAgreement {
  id: string;
  licensor: string;
  licensee: string;
  state: string;
  useTypes: string[];
  territories: string[];
  excludedTerritories: string[];
  startsAt: Date;
  endsAt: Date | null;
  /** Work ids for SELECTED scope; null for ALL. */
  selected: string[] | null;
}

export interface ReferenceConsent {
  id: string;
  scope: 'WORK' | 'ARTIST';
  subject: string;
  state: 'GRANTED' | 'REFUSED' | 'WITHDRAWN';
  useTypes: string[];
  territories: string[];
  excludedTerritories: string[];
  validFrom: Date;
  validUntil: Date | null;
  recordedAt: Date;
}

export interface ReferenceQuestion {
  partner: string;
  use: string;
  territory: string;
  at: Date;
}

export interface ReferenceAnswer {
  reasons: string[];
  unlicensed: string[];
  agreements: string[];
  consentRecords: string[];
}

const REASON_ORDER = [
  'UNKNOWN_WORK',
  'NO_AGREEMENT',
  'AGREEMENT_SUSPENDED',
  'OUTSIDE_TERM',
  'TERRITORY_EXCLUDED',
  'NO_CONSENT',
  'CONSENT_REFUSED',
  'CONSENT_WITHDRAWN',
];

const inTerm = (from: Date, until: Date | null, at: Date) => from <= at && (until === null || at < until);
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function referenceDecision(
  works: ReferenceWork[],
  agreements: ReferenceAgreement[],
  consents: ReferenceConsent[],
  isrc: string,
  q: ReferenceQuestion,
): ReferenceAnswer {
  const work = works.find((w) => w.isrc === isrc);
  if (!work) return { reasons: ['UNKNOWN_WORK'], unlicensed: [], agreements: [], consentRecords: [] };
  const reasons = new Set<string>();

  const relied: string[] = [];
  const unlicensed: string[] = [];
  for (const owner of work.owners) {
    // Agreements between the partner and this owner, for this use, that include this work.
    const forWork = agreements.filter(
      (a) =>
        a.licensee === q.partner &&
        a.licensor === owner &&
        a.useTypes.includes(q.use) &&
        (a.selected === null || a.selected.includes(work.id)),
    );
    const applying = forWork.filter(
      (a) => a.state === 'ACTIVE' && inTerm(a.startsAt, a.endsAt, q.at) && coversTerritory(a, q.territory),
    );
    if (applying.length) {
      relied.push(...applying.map((a) => a.id));
      continue;
    }
    unlicensed.push(owner);
    reasons.add('NO_AGREEMENT');
    for (const a of forWork.filter((a) => a.state === 'ACTIVE' || a.state === 'SUSPENDED')) {
      if (a.state === 'SUSPENDED') reasons.add('AGREEMENT_SUSPENDED');
      if (!inTerm(a.startsAt, a.endsAt, q.at)) reasons.add('OUTSIDE_TERM');
      if (!coversTerritory(a, q.territory)) reasons.add('TERRITORY_EXCLUDED');
    }
  }

  const inForce = (c: ReferenceConsent) =>
    c.useTypes.includes(q.use) && coversTerritory(c, q.territory) && inTerm(c.validFrom, c.validUntil, q.at);
  const latest = (records: ReferenceConsent[]) =>
    records.filter(inForce).sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime() || byId(b.id, a.id))[0];
  const forWork = latest(consents.filter((c) => c.scope === 'WORK' && c.subject === work.id));
  const decisive = forWork
    ? [forWork]
    : work.mainArtists.map((artist) => latest(consents.filter((c) => c.scope === 'ARTIST' && c.subject === artist)));
  if (decisive.length === 0 || decisive.some((c) => c === undefined)) reasons.add('NO_CONSENT');
  if (decisive.some((c) => c?.state === 'REFUSED')) reasons.add('CONSENT_REFUSED');
  if (decisive.some((c) => c?.state === 'WITHDRAWN')) reasons.add('CONSENT_WITHDRAWN');

  return {
    reasons: REASON_ORDER.filter((r) => reasons.has(r)),
    unlicensed,
    agreements: relied,
    consentRecords: decisive.filter((c): c is ReferenceConsent => c !== undefined).map((c) => c.id),
  };
}
