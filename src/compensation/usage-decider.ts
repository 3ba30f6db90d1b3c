import type { EntityManager } from 'typeorm';
import type { UseType } from '../common/use-type';

/**
 * The decision rule as compensation needs it: for each reported use, why it is not allowed (empty when
 * it is). Implemented by the decision engine, so a report is judged exactly as consentDecisions would.
 */
export interface UseDecider {
  denials(
    manager: EntityManager,
    request: { aiPartnerId: string; territory: string; at: Date; uses: readonly { isrc: string; useType: UseType }[] },
  ): Promise<string[][]>;
}
