import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { toAgreement } from '../agreements/agreements.mapper';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { toUsageReport } from '../compensation/compensation.mapper';
import { fromGlobalId } from '../common/relay/global-id';
import { Node } from '../common/relay/node';
import { toConsentRecord } from '../consent/consent.mapper';
import { toMandate, toPartner } from '../partners/partners.mapper';
import { toArtist } from '../works/works.mapper';
import type { RequestContext } from './context';

/** `node(id:)` dispatches on the type inside the global id; each module's own rules decide visibility. */
@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when unknown or not visible to you.' })
  @Allow(EVERY_PARTNER)
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Node | null> {
    const { type, id: uuid } = fromGlobalId(id);
    switch (type) {
      case 'Work':
        return (await ctx.loaders.works.workById.load(uuid)) ?? null;
      case 'Artist': {
        const artist = await ctx.loaders.works.artistById.load(uuid);
        return artist ? toArtist(artist) : null;
      }
      case 'Partner': {
        const partner = await ctx.loaders.partners.partnerById.load(uuid);
        return partner ? toPartner(partner) : null;
      }
      case 'Agreement': {
        const agreement = await ctx.loaders.agreements.agreementById.load(uuid);
        return agreement ? toAgreement(agreement) : null;
      }
      case 'ConsentRecord': {
        const record = await ctx.services.consent.findRecord(ctx.viewer, uuid);
        return record ? toConsentRecord(record) : null;
      }
      case 'Mandate': {
        const mandate = await ctx.services.partners.findMandate(ctx.viewer, uuid);
        return mandate ? toMandate(mandate) : null;
      }
      case 'UsageReport': {
        const report = await ctx.loaders.compensation.reportById.load(uuid);
        return report ? toUsageReport(report) : null;
      }
      default:
        return null;
    }
  }
}
