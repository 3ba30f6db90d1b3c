import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Allow, EVERY_PARTNER, INTERNAL_ONLY } from '../auth/policy';
import type { RequestContext } from '../server/context';
import { PartnerStatus } from './partner.entity';
import { toMandate, toPartner } from './partners.mapper';
import {
  ChangePartnerStatusInput,
  GrantMandateInput,
  isViewer,
  Mandate,
  Partner,
  RevokeMandateInput,
} from './partners.types';

@Resolver(() => Partner)
export class PartnerResolver {
  @Query(() => Partner, { description: 'The authenticated partner.' })
  @Allow(EVERY_PARTNER)
  async viewer(@Ctx() ctx: RequestContext): Promise<Partner> {
    const row = await ctx.loaders.partners.partnerById.load(ctx.viewer.partnerId);
    return toPartner(row!);
  }

  @FieldResolver(() => [Mandate], {
    nullable: true,
    description: 'Mandates this partner granted (a label) or holds (a distributor), revoked ones included.',
  })
  @Allow({ LABEL: isViewer, DISTRIBUTOR: isViewer, INTERNAL: true })
  async mandates(@Root() partner: Partner, @Ctx() ctx: RequestContext): Promise<Mandate[]> {
    const rows = await ctx.loaders.partners.mandatesOfPartner.load(partner.partnerId);
    return rows.map((row) => toMandate(row));
  }

  @Mutation(() => Mandate, { description: 'Lets a distributor act for a label.' })
  @Allow({ LABEL: true, INTERNAL: true }, 'a label grants only for itself')
  async grantMandate(@Arg('input') input: GrantMandateInput, @Ctx() ctx: RequestContext): Promise<Mandate> {
    return toMandate(await ctx.services.partners.grantMandate(ctx.viewer, input));
  }

  @Mutation(() => Mandate, { description: 'Ends a mandate now; it stays readable as history.' })
  @Allow({ LABEL: true, INTERNAL: true }, 'only the label that granted it')
  async revokeMandate(@Arg('input') input: RevokeMandateInput, @Ctx() ctx: RequestContext): Promise<Mandate> {
    return toMandate(await ctx.services.partners.revokeMandate(ctx.viewer, input));
  }

  @Mutation(() => Partner, { description: "Refuses the partner's tokens from its next request on." })
  @Allow(INTERNAL_ONLY)
  async suspendPartner(@Arg('input') input: ChangePartnerStatusInput, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner(await ctx.services.partners.changeStatus(ctx.viewer, input, PartnerStatus.SUSPENDED));
  }

  @Mutation(() => Partner, { description: 'Lifts a suspension.' })
  @Allow(INTERNAL_ONLY)
  async reinstatePartner(@Arg('input') input: ChangePartnerStatusInput, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner(await ctx.services.partners.changeStatus(ctx.viewer, input, PartnerStatus.ACTIVE));
  }
}

@Resolver(() => Mandate)
export class MandateResolver {
  @FieldResolver(() => Partner)
  @Allow(EVERY_PARTNER)
  async distributor(@Root() mandate: Mandate, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner((await ctx.loaders.partners.partnerById.load(mandate.distributorId))!);
  }

  @FieldResolver(() => Partner)
  @Allow(EVERY_PARTNER)
  async label(@Root() mandate: Mandate, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner((await ctx.loaders.partners.partnerById.load(mandate.labelId))!);
  }
}
