import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { PageArgs, pageComplexity } from '../common/relay/connection';
import { IsrcScalar } from '../common/scalars/identifiers';
import { toPartner } from '../partners/partners.mapper';
import { Partner } from '../partners/partners.types';
import type { RequestContext } from '../server/context';
import { toWork } from './works.mapper';
import { MAX_WORKS_PAGE } from './works.service';
import { MAX_WORKS_PER_CALL } from './works.validation';
import {
  RegisterWorksPayload,
  RightShare,
  Work,
  WorkArtist,
  WorkConnection,
  WorkFilter,
  WorkInput,
} from './works.types';

@Resolver(() => Work)
export class WorkResolver {
  @Query(() => Work, { nullable: true, description: 'A work by ISRC; null when unknown or not visible to you.' })
  @Allow(EVERY_PARTNER)
  async work(@Arg('isrc', () => IsrcScalar) isrc: string, @Ctx() ctx: RequestContext): Promise<Work | null> {
    const row = await ctx.services.works.findByIsrc(ctx.viewer, isrc);
    return row ? toWork(row) : null;
  }

  @Query(() => WorkConnection, {
    complexity: pageComplexity,
    description: `The catalog visible to you, by ISRC. At most ${MAX_WORKS_PAGE} per page. A distributor sees the works of labels it holds a READ_CATALOG mandate for.`,
  })
  @Allow(EVERY_PARTNER)
  async works(
    @Args() page: PageArgs,
    @Arg('filter', () => WorkFilter, { nullable: true }) filter: WorkFilter | null,
    @Ctx() ctx: RequestContext,
  ) {
    const connection = await ctx.services.works.list(ctx.viewer, filter, page);
    return { ...connection, edges: connection.edges.map((edge) => ({ ...edge, node: toWork(edge.node) })) };
  }

  @Mutation(() => RegisterWorksPayload, {
    complexity: ({ args, childComplexity }) => (Array.isArray(args.input) ? args.input.length : 1) + childComplexity,
    description: `Creates or replaces works by ISRC: idempotent, all or nothing, at most ${MAX_WORKS_PER_CALL} per call.`,
  })
  @Allow({ LABEL: true, DISTRIBUTOR: true, INTERNAL: true }, 'viewer acts (MANAGE_CATALOG) for an owner of each work, before and after')
  async registerWorks(
    @Arg('input', () => [WorkInput]) input: WorkInput[],
    @Ctx() ctx: RequestContext,
  ): Promise<RegisterWorksPayload> {
    const result = await ctx.services.works.register(ctx.viewer, input);
    return { ...result, works: result.works.map(toWork) };
  }

  @FieldResolver(() => [WorkArtist])
  @Allow(EVERY_PARTNER)
  async artists(@Root() work: Work, @Ctx() ctx: RequestContext): Promise<WorkArtist[]> {
    return ctx.loaders.works.artistsByWork.load(work.workId);
  }

  @FieldResolver(() => [RightShare], { description: 'Who owns the work; the split itself only for its owners.' })
  @Allow(EVERY_PARTNER)
  async rightsholders(@Root() work: Work, @Ctx() ctx: RequestContext): Promise<RightShare[]> {
    return ctx.loaders.works.sharesByWork.load(work.workId);
  }
}

@Resolver(() => RightShare)
export class RightShareResolver {
  @FieldResolver(() => Partner)
  @Allow(EVERY_PARTNER)
  async label(@Root() share: RightShare, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner((await ctx.loaders.partners.partnerById.load(share.labelId))!);
  }
}
