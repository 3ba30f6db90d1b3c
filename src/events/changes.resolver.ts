import { Args, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { BadInputError } from '../common/errors';
import { DECISION_CHANGE_TYPES } from '../consent/consent-changed';
import { validateIsrcs } from '../decisions/decisions.validation';
import type { RequestContext } from '../server/context';
import type { ChangeRecord } from './change-record';
import type { ChangeStream } from './change-stream';
import { toChangeEvent } from './changes.mapper';
import { ChangeEvent, ChangesArgs, ConsentChangedArgs } from './changes.types';

/** Over HTTP there is no socket to stream to (Apollo would run the field once, with no event). */
function subscriptionOf(context: RequestContext): NonNullable<RequestContext['subscription']> {
  if (!context.subscription) {
    throw new BadInputError('subscriptions are served over WebSocket (graphql-transport-ws) at this URL');
  }
  return context.subscription;
}

async function openChanges(context: RequestContext, request: ChangesArgs): Promise<ChangeStream> {
  const { session, operationId } = subscriptionOf(context);
  return session.openChanges(operationId, request);
}

async function openConsentChanges(context: RequestContext, request: ConsentChangedArgs): Promise<ChangeStream> {
  const { session, operationId } = subscriptionOf(context);
  if (request.isrcs) validateIsrcs(request.isrcs);
  const follower = context.services.consent.followedWorks(request.isrcs ?? undefined);
  return session.openChanges(operationId, { since: request.since, types: DECISION_CHANGE_TYPES, follower });
}

@Resolver()
export class ChangesResolver {
  @Subscription(() => ChangeEvent, {
    description:
      'Every change you may see, in the outbox order (the same for every subscriber on every replica): replays the events after `since`, then streams live ones, with no gap and no duplicate between the two.',
    subscribe: ({ args, context }) => openChanges(context as RequestContext, args as ChangesArgs),
  })
  @Allow(EVERY_PARTNER, 'only events naming the viewer (a distributor: also a label it holds READ_CATALOG for); internal: all')
  changes(@Root() record: ChangeRecord, @Args() _request: ChangesArgs, @Ctx() ctx: RequestContext): ChangeEvent {
    subscriptionOf(ctx);
    return toChangeEvent(record, ctx.viewer);
  }

  @Subscription(() => ChangeEvent, {
    description:
      'Changes that can turn a decision on the works you follow (all the works you license when `isrcs` is left out): consent, agreements, and a work registered or given other owners or MAIN artists. A withdrawal reaches you as soon as it commits. Replays from `since` like `changes`.',
    subscribe: ({ args, context }) => openConsentChanges(context as RequestContext, args as ConsentChangedArgs),
  })
  @Allow({ AI_PARTNER: true, INTERNAL: true }, 'an AI partner hears consent and work changes on works it licenses and changes to its own agreements')
  consentChanged(@Root() record: ChangeRecord, @Args() _request: ConsentChangedArgs, @Ctx() ctx: RequestContext): ChangeEvent {
    subscriptionOf(ctx);
    return toChangeEvent(record, ctx.viewer);
  }
}
