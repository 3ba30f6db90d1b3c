import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Allow } from '../auth/policy';
import { PageArgs, pageComplexity, readPage, toConnection } from '../common/relay/connection';
import { isUuid } from '../common/relay/global-id';
import { toPartner } from '../partners/partners.mapper';
import { Partner } from '../partners/partners.types';
import type { RequestContext } from '../server/context';
import { toArtist } from '../works/works.mapper';
import { Artist, Work } from '../works/works.types';
import { toConsentRecord } from './consent.mapper';
import { MAX_CONSENT_HISTORY_PAGE } from './consent.service';
import {
  CONSENT_READERS,
  ConsentRecord,
  ConsentRecordConnection,
  ConsentRecordsPayload,
  RecordConsentInput,
  representsAnOwnerForConsent,
  WithdrawConsentInput,
} from './consent.types';
import { MAX_CONSENT_SUBJECTS_PER_CALL } from './consent.validation';

const MANAGES_CONSENT = 'viewer acts (MANAGE_CONSENT) for an owner of each work, or of a work on which each artist is MAIN; internal for any';

@Resolver(() => ConsentRecord)
export class ConsentResolver {
  @Mutation(() => ConsentRecordsPayload, {
    description: `Records an artist's choice (GRANTED or REFUSED) for works or artists: all or nothing, at most ${MAX_CONSENT_SUBJECTS_PER_CALL} per call.`,
  })
  @Allow({ LABEL: true, DISTRIBUTOR: true, INTERNAL: true }, MANAGES_CONSENT)
  async recordConsent(@Arg('input') input: RecordConsentInput, @Ctx() ctx: RequestContext): Promise<ConsentRecordsPayload> {
    return { records: (await ctx.services.consent.record(ctx.viewer, input)).map(toConsentRecord) };
  }

  @Mutation(() => ConsentRecordsPayload, {
    description: `Withdraws consent for works or artists by writing WITHDRAWN records (history is never edited): all or nothing, at most ${MAX_CONSENT_SUBJECTS_PER_CALL} per call.`,
  })
  @Allow({ LABEL: true, DISTRIBUTOR: true, INTERNAL: true }, MANAGES_CONSENT)
  async withdrawConsent(@Arg('input') input: WithdrawConsentInput, @Ctx() ctx: RequestContext): Promise<ConsentRecordsPayload> {
    return { records: (await ctx.services.consent.withdraw(ctx.viewer, input)).map(toConsentRecord) };
  }

  @FieldResolver(() => Work, { nullable: true, description: 'WORK scope: the work (null when not visible to you).' })
  @Allow(CONSENT_READERS)
  async work(@Root() record: ConsentRecord, @Ctx() ctx: RequestContext): Promise<Work | null> {
    return record.workId ? ((await ctx.loaders.works.workById.load(record.workId)) ?? null) : null;
  }

  @FieldResolver(() => Artist, { nullable: true, description: 'ARTIST scope: the artist.' })
  @Allow(CONSENT_READERS)
  async artist(@Root() record: ConsentRecord, @Ctx() ctx: RequestContext): Promise<Artist | null> {
    const artist = record.artistId ? await ctx.loaders.works.artistById.load(record.artistId) : undefined;
    return artist ? toArtist(artist) : null;
  }

  @FieldResolver(() => Partner, { description: 'The partner that recorded it.' })
  @Allow(CONSENT_READERS)
  async recordedBy(@Root() record: ConsentRecord, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner((await ctx.loaders.partners.partnerById.load(record.recordedById))!);
  }
}

@Resolver(() => Work)
export class WorkConsentResolver {
  @FieldResolver(() => ConsentRecordConnection, {
    nullable: true,
    complexity: pageComplexity,
    description: `Every consent record bearing on the work (WORK scope, and ARTIST scope of its MAIN artists), newest first; at most ${MAX_CONSENT_HISTORY_PAGE} per page.`,
  })
  @Allow({ LABEL: representsAnOwnerForConsent, DISTRIBUTOR: representsAnOwnerForConsent, INTERNAL: true })
  async consentHistory(@Root() work: Work, @Args() args: PageArgs, @Ctx() ctx: RequestContext) {
    const page = readPage(args, MAX_CONSENT_HISTORY_PAGE, isUuid);
    const rows = await ctx.loaders.consent.historyOfWork(page).load(work.workId);
    return toConnection(rows, page, (row) => row.id, toConsentRecord);
  }
}

@Resolver(() => Artist)
export class ArtistConsentResolver {
  @FieldResolver(() => ConsentRecordConnection, {
    nullable: true,
    complexity: pageComplexity,
    description: `The artist's ARTIST-scope consent records, newest first; at most ${MAX_CONSENT_HISTORY_PAGE} per page.`,
  })
  @Allow(
    { LABEL: true, DISTRIBUTOR: true, INTERNAL: true },
    'viewer represents (READ_CATALOG or MANAGE_CONSENT) a label owning a work on which the artist is MAIN; checked in SQL, as the artist object does not carry its catalog',
  )
  async consentHistory(@Root() artist: Artist, @Args() args: PageArgs, @Ctx() ctx: RequestContext) {
    const connection = await ctx.services.consent.historyOfArtist(ctx.viewer, artist.artistId, args);
    return { ...connection, edges: connection.edges.map((edge) => ({ ...edge, node: toConsentRecord(edge.node) })) };
  }
}
