import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors';

const WINDOW_MS = 60_000;
/** Each replica leases this share of a partner's budget at a time, so most requests cost no round trip. */
const LEASE_FRACTION = 20;

export interface BudgetState {
  limit: number;
  /** Points left in the current minute across all replicas, as far as this replica knows. */
  remaining: number;
  resetAt: Date;
}

export class RateLimitedError extends DomainError {
  constructor(state: BudgetState, cost: number) {
    super(ErrorCode.RATE_LIMITED, `cost budget exhausted: this operation costs ${cost} points, ${state.remaining} left until ${state.resetAt.toISOString()}`, {
      cost: { requested: cost, limit: state.limit, remaining: state.remaining, resetAt: state.resetAt.toISOString() },
    });
  }
}

interface Lease {
  window: number;
  /** Leased by this replica and not spent yet. */
  held: number;
  /** Points taken from the shared budget by all replicas at the last lease. */
  taken: number;
  /** The lease being taken now, resolving to the points it granted: concurrent requests wait for it. */
  refill?: Promise<number>;
}

/**
 * A per-partner budget of cost points per minute, enforced across replicas through PostgreSQL: each
 * replica leases chunks of the minute's budget (one statement per chunk) and spends them locally. A
 * partner can overshoot by at most one chunk per replica; the shared row never exceeds the limit.
 */
export class CostBudget {
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly limit: number,
  ) {}

  async charge(partnerId: string, cost: number, now = Date.now()): Promise<BudgetState> {
    const window = Math.floor(now / WINDOW_MS);
    let lease = this.leases.get(partnerId);
    if (!lease || lease.window !== window) {
      lease = { window, held: 0, taken: 0 };
      this.leases.set(partnerId, lease);
    }
    await this.replenish(partnerId, lease, cost);
    const resetAt = new Date((window + 1) * WINDOW_MS);
    if (lease.held < cost) {
      throw new RateLimitedError({ limit: this.limit, remaining: lease.held, resetAt }, cost);
    }
    lease.held -= cost;
    return { limit: this.limit, remaining: this.limit - lease.taken + lease.held, resetAt };
  }

  /**
   * Leases until the replica holds `cost` points or the shared budget is spent. One lease at a time per
   * partner: a burst of concurrent requests waits for it instead of each taking a chunk, which would hand
   * one replica the whole minute's budget.
   */
  private async replenish(partnerId: string, lease: Lease, cost: number): Promise<void> {
    while (lease.held < cost) {
      if (lease.refill) {
        await lease.refill;
        continue;
      }
      const want = Math.max(cost - lease.held, Math.ceil(this.limit / LEASE_FRACTION));
      lease.refill = this.lease(partnerId, lease.window, want)
        .then(({ granted, taken }) => {
          lease.held += granted;
          lease.taken = taken;
          return granted;
        })
        .finally(() => {
          lease.refill = undefined;
        });
      if ((await lease.refill) === 0) return;
    }
  }

  private async lease(partnerId: string, window: number, want: number): Promise<{ granted: number; taken: number }> {
    // In ON CONFLICT DO UPDATE every expression reads the row as it was: the grant is computed once.
    const [row] = (await this.dataSource.query(
      `INSERT INTO cost_budget (partner_id, window_start, points, last_grant)
       VALUES ($1, $2, LEAST($3::bigint, $4::bigint), LEAST($3::bigint, $4::bigint))
       ON CONFLICT (partner_id, window_start) DO UPDATE
         SET points = cost_budget.points + GREATEST(0, LEAST($3::bigint, $4::bigint - cost_budget.points)),
             last_grant = GREATEST(0, LEAST($3::bigint, $4::bigint - cost_budget.points))
       RETURNING last_grant AS granted, points AS taken`,
      [partnerId, new Date(window * WINDOW_MS), want, this.limit],
    )) as { granted: string; taken: string }[];
    if (Math.random() < 0.01) {
      await this.dataSource.query(`DELETE FROM cost_budget WHERE window_start < now() - interval '1 hour'`);
    }
    return { granted: Number(row.granted), taken: Number(row.taken) };
  }
}
