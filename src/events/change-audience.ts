import { isInternal, labelsActedFor, type Viewer } from '../auth/viewer';
import { MandatePermission } from '../partners/mandate.entity';

/**
 * Who may hear about a change: the one rule, applied in SQL when replaying and in memory when streaming.
 *
 * Every change event lists in `partner_ids` the partners it concerns (owners, parties, licensees: each
 * module puts the right ones there). INTERNAL hears everything. Any other partner hears an event that
 * names it, and a distributor also hears the events naming a label for which it holds a READ_CATALOG
 * mandate in force. So the rule reduces to "the event names one of the viewer's `partnerIds`", which
 * knows nothing of domains and is the same test in both places (`partner_ids && $ids` in SQL).
 */
export type Audience = { everything: true } | { everything: false; partnerIds: ReadonlySet<string> };

export function audienceOf(viewer: Viewer): Audience {
  if (isInternal(viewer)) return { everything: true };
  return {
    everything: false,
    partnerIds: new Set([viewer.partnerId, ...labelsActedFor(viewer, MandatePermission.READ_CATALOG)]),
  };
}

export function hears(audience: Audience, partnerIds: readonly string[]): boolean {
  return audience.everything || partnerIds.some((id) => audience.partnerIds.has(id));
}

/** The same rule as a SQL condition on `change_event` alias `e`; pushes its parameter. */
export function audienceCondition(audience: Audience, params: unknown[]): string {
  if (audience.everything) return 'TRUE';
  params.push([...audience.partnerIds]);
  return `e.partner_ids && $${params.length}::uuid[]`;
}
