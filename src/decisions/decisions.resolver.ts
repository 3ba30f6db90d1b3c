import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { Allow } from '../auth/policy';
import { pageComplexity } from '../common/relay/connection';
import type { RequestContext } from '../server/context';
import { toWork } from '../works/works.mapper';
import { WorkConnection } from '../works/works.types';
import { MAX_LICENSED_WORKS_PAGE } from './decisions.service';
import { ConsentDecisionBatch, ConsentDecisionsArgs, LicensedWorksArgs } from './decisions.types';
import { MAX_DECISIONS_PER_CALL } from './decisions.validation';

const AI_PARTNER_FOR_ITSELF = 'an AI partner for itself only; internal names the AI partner (aiPartner)';

@Resolver()
export class DecisionsResolver {
  @Query(() => ConsentDecisionBatch, {
    // One SQL statement answers the whole batch: a point per ten works asked, on top of the selection.
    complexity: ({ args, childComplexity }) => 1 + childComplexity + Math.ceil((Array.isArray(args.isrcs) ? args.isrcs.length : 1) / 10),
    description: `May you use these works (at most ${MAX_DECISIONS_PER_CALL}) for this use, in this territory, at this time? Every answer names its reasons and what it relied on; the batch comes with a signed receipt.`,
  })
  @Allow({ AI_PARTNER: true, INTERNAL: true }, AI_PARTNER_FOR_ITSELF)
  async consentDecisions(@Args() args: ConsentDecisionsArgs, @Ctx() ctx: RequestContext): Promise<ConsentDecisionBatch> {
    const { batch, recorded } = await ctx.services.decisions.decide(ctx.viewer, args);
    // The batch's record is written while the decisions are executed; the answer waits for it.
    ctx.answerGate.hold(recorded);
    return batch;
  }

  @Query(() => WorkConnection, {
    complexity: pageComplexity,
    description: `The works you may use now for this use in this territory, in ISRC order, at most ${MAX_LICENSED_WORKS_PAGE} per page.`,
  })
  @Allow({ AI_PARTNER: true, INTERNAL: true }, AI_PARTNER_FOR_ITSELF)
  async licensedWorks(@Args() args: LicensedWorksArgs, @Ctx() ctx: RequestContext) {
    const connection = await ctx.services.decisions.licensedWorks(ctx.viewer, args, args);
    return { ...connection, edges: connection.edges.map((edge) => ({ ...edge, node: toWork(edge.node) })) };
  }
}
