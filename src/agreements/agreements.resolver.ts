import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { PageArgs, pageComplexity } from '../common/relay/connection';
import { idOf } from '../common/relay/global-id';
import { IsrcScalar } from '../common/scalars/identifiers';
import { toPartner } from '../partners/partners.mapper';
import { Partner } from '../partners/partners.types';
import type { RequestContext } from '../server/context';
import { toAgreement, toHistoryEntry, toTerms } from './agreements.mapper';
import { MAX_AGREEMENTS_PAGE } from './agreements.service';
import {
  Agreement,
  AgreementChangeInput,
  AgreementConnection,
  AgreementFilter,
  AgreementHistoryEntry,
  AgreementTerms,
  AgreementTermsChangeInput,
  CreateAgreementInput,
} from './agreements.types';

const LICENSOR_SIDE = { LABEL: true, DISTRIBUTOR: true } as const;
const LICENSOR_NOTE = 'viewer is the licensor label or holds a NEGOTIATE mandate in force for it';
const LICENSEE = { AI_PARTNER: true } as const;
const LICENSEE_NOTE = 'viewer is the licensee';

async function partner(ctx: RequestContext, id: string): Promise<Partner> {
  return toPartner((await ctx.loaders.partners.partnerById.load(id))!);
}

@Resolver(() => Agreement)
export class AgreementResolver {
  @Query(() => Agreement, { nullable: true, description: 'An agreement you are party to (or may read); null otherwise.' })
  @Allow(EVERY_PARTNER)
  async agreement(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Agreement | null> {
    const row = await ctx.loaders.agreements.agreementById.load(idOf('Agreement', id));
    return row ? toAgreement(row) : null;
  }

  @Query(() => AgreementConnection, {
    complexity: pageComplexity,
    description: `Agreements you may read, oldest first; at most ${MAX_AGREEMENTS_PAGE} per page.`,
  })
  @Allow(EVERY_PARTNER)
  async agreements(
    @Args() page: PageArgs,
    @Arg('filter', () => AgreementFilter, { nullable: true }) filter: AgreementFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    const connection = await ctx.services.agreements.list(ctx.viewer, filter, page);
    return { ...connection, edges: connection.edges.map((edge) => ({ ...edge, node: toAgreement(edge.node) })) };
  }

  @Mutation(() => Agreement, { description: 'Drafts an agreement (state DRAFT) with an AI partner.' })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async createAgreement(@Arg('input') input: CreateAgreementInput, @Ctx() ctx: RequestContext): Promise<Agreement> {
    return toAgreement(await ctx.services.agreements.create(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'Replaces the draft terms with a new version (DRAFT only).' })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async updateAgreementDraft(@Arg('input') input: AgreementTermsChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.updateDraft(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'Sends the draft to the licensee: DRAFT → PROPOSED.' })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async proposeAgreement(@Arg('input') input: AgreementChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.propose(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'PROPOSED → ACTIVE, or puts a pending amendment in force.' })
  @Allow(LICENSEE, LICENSEE_NOTE)
  async acceptAgreement(@Arg('input') input: AgreementChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.accept(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'PROPOSED → DECLINED, or declines a pending amendment (terms in force stay).' })
  @Allow(LICENSEE, LICENSEE_NOTE)
  async declineAgreement(@Arg('input') input: AgreementChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.decline(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'ACTIVE → SUSPENDED: no use is allowed under it meanwhile.' })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async suspendAgreement(@Arg('input') input: AgreementChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.suspend(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'SUSPENDED → ACTIVE.' })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async resumeAgreement(@Arg('input') input: AgreementChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.resume(ctx.viewer, input));
  }

  @Mutation(() => Agreement, { description: 'ACTIVE or SUSPENDED → TERMINATED; a reason is required.' })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async terminateAgreement(@Arg('input') input: AgreementChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.terminate(ctx.viewer, input));
  }

  @Mutation(() => Agreement, {
    description: 'Proposes new terms for an ACTIVE agreement; the terms in force stay until the licensee accepts.',
  })
  @Allow(LICENSOR_SIDE, LICENSOR_NOTE)
  async amendAgreement(@Arg('input') input: AgreementTermsChangeInput, @Ctx() ctx: RequestContext) {
    return toAgreement(await ctx.services.agreements.amend(ctx.viewer, input));
  }

  @FieldResolver(() => Partner, { description: 'The label granting the license.' })
  @Allow(EVERY_PARTNER)
  licensor(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<Partner> {
    return partner(ctx, agreement.parties.licensorId);
  }

  @FieldResolver(() => Partner, { nullable: true, description: 'The distributor that negotiated for the licensor.' })
  @Allow(EVERY_PARTNER)
  async actingDistributor(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<Partner | null> {
    const id = agreement.parties.actingDistributorId;
    return id ? partner(ctx, id) : null;
  }

  @FieldResolver(() => Partner, { description: 'The AI partner licensed.' })
  @Allow(EVERY_PARTNER)
  licensee(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<Partner> {
    return partner(ctx, agreement.parties.licenseeId);
  }

  @FieldResolver(() => AgreementTerms, { nullable: true, description: 'The terms in force; null until first accepted.' })
  @Allow(EVERY_PARTNER)
  async terms(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<AgreementTerms | null> {
    return this.version(agreement, agreement.termsInForce, ctx);
  }

  @FieldResolver(() => AgreementTerms, {
    nullable: true,
    description: 'The draft, the proposal, or an amendment awaiting the licensee.',
  })
  @Allow(EVERY_PARTNER)
  async pendingTerms(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<AgreementTerms | null> {
    return this.version(agreement, agreement.pendingTerms, ctx);
  }

  @FieldResolver(() => [AgreementTerms], {
    description: "Every version of the terms, oldest first. The licensee sees the versions proposed to it, not the licensor side's drafts.",
  })
  @Allow(EVERY_PARTNER)
  async versions(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<AgreementTerms[]> {
    const rows = await ctx.loaders.agreements.termsOfAgreement.load(agreement.agreementId);
    const licensee = ctx.viewer.partnerId === agreement.parties.licenseeId;
    return rows.filter((row) => !licensee || row.proposedAt !== null).map((row) => toTerms(row, agreement));
  }

  @FieldResolver(() => [AgreementHistoryEntry], { description: 'Every transition with its actor, oldest first.' })
  @Allow(EVERY_PARTNER)
  async history(@Root() agreement: Agreement, @Ctx() ctx: RequestContext): Promise<AgreementHistoryEntry[]> {
    const rows = await ctx.loaders.agreements.historyOfAgreement.load(agreement.agreementId);
    return rows.map(toHistoryEntry);
  }

  private async version(agreement: Agreement, version: number | null, ctx: RequestContext) {
    if (version === null) return null;
    const rows = await ctx.loaders.agreements.termsOfAgreement.load(agreement.agreementId);
    const row = rows.find((r) => r.termsVersion === version);
    return row ? toTerms(row, agreement) : null;
  }
}

@Resolver(() => AgreementTerms)
export class AgreementTermsResolver {
  @FieldResolver(() => [IsrcScalar], { nullable: true, description: 'SELECTED scope: the works licensed.' })
  @Allow(EVERY_PARTNER)
  async selectedIsrcs(@Root() terms: AgreementTerms, @Ctx() ctx: RequestContext): Promise<string[] | null> {
    if (terms.catalogScope !== 'SELECTED') return null;
    return ctx.loaders.agreements.selectedIsrcs.load({ agreementId: terms.agreementId, version: terms.version });
  }

  @FieldResolver(() => Partner)
  @Allow(EVERY_PARTNER)
  draftedBy(@Root() terms: AgreementTerms, @Ctx() ctx: RequestContext): Promise<Partner> {
    return partner(ctx, terms.draftedById);
  }

  @FieldResolver(() => Partner, { nullable: true })
  @Allow(EVERY_PARTNER)
  async proposedBy(@Root() terms: AgreementTerms, @Ctx() ctx: RequestContext): Promise<Partner | null> {
    return terms.proposedById ? partner(ctx, terms.proposedById) : null;
  }

  @FieldResolver(() => Partner, { nullable: true })
  @Allow(EVERY_PARTNER)
  async acceptedBy(@Root() terms: AgreementTerms, @Ctx() ctx: RequestContext): Promise<Partner | null> {
    return terms.acceptedById ? partner(ctx, terms.acceptedById) : null;
  }
}

@Resolver(() => AgreementHistoryEntry)
export class AgreementHistoryResolver {
  @FieldResolver(() => Partner)
  @Allow(EVERY_PARTNER)
  actor(@Root() entry: AgreementHistoryEntry, @Ctx() ctx: RequestContext): Promise<Partner> {
    return partner(ctx, entry.actorId);
  }

  @FieldResolver(() => Partner, { nullable: true, description: 'The label a distributor acted for.' })
  @Allow(EVERY_PARTNER)
  async actingFor(@Root() entry: AgreementHistoryEntry, @Ctx() ctx: RequestContext): Promise<Partner | null> {
    return entry.actingForId ? partner(ctx, entry.actingForId) : null;
  }
}

