import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { toAgreement } from '../agreements/agreements.mapper';
import { Agreement } from '../agreements/agreements.types';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { CurrencyScalar } from '../common/money';
import { PageArgs, pageComplexity } from '../common/relay/connection';
import { idOf } from '../common/relay/global-id';
import { toPartner } from '../partners/partners.mapper';
import { Partner } from '../partners/partners.types';
import type { RequestContext } from '../server/context';
import { toStatement, toUsageReport, toViolation } from './compensation.mapper';
import {
  ReverseUsageReportInput,
  Statement,
  StatementKind,
  SubmitUsageReportInput,
  UsageReport,
  UsageReportConnection,
  UsageViolation,
} from './compensation.types';
import { MAX_REPORTS_PAGE } from './usage.service';
import { MAX_LINES_PER_REPORT } from './usage.validation';

@Resolver(() => UsageReport)
export class UsageReportResolver {
  @Query(() => UsageReport, { nullable: true, description: 'A report you sent, or one under an agreement of a label you represent.' })
  @Allow(EVERY_PARTNER)
  async usageReport(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<UsageReport | null> {
    const row = await ctx.loaders.compensation.reportById.load(idOf('UsageReport', id));
    return row ? toUsageReport(row) : null;
  }

  @Query(() => UsageReportConnection, {
    complexity: pageComplexity,
    description: `Reports visible to you, oldest first; at most ${MAX_REPORTS_PAGE} per page.`,
  })
  @Allow(EVERY_PARTNER)
  async usageReports(@Args() page: PageArgs, @Ctx() ctx: RequestContext) {
    const connection = await ctx.services.usage.list(ctx.viewer, page);
    return { ...connection, edges: connection.edges.map((edge) => ({ ...edge, node: toUsageReport(edge.node) })) };
  }

  @Mutation(() => UsageReport, {
    description: `Reports use under an agreement (at most ${MAX_LINES_PER_REPORT} lines), idempotent by key. Lines the decision rule denies are recorded as violations and not paid.`,
  })
  @Allow({ AI_PARTNER: true }, 'viewer is the licensee of the agreement')
  async submitUsageReport(@Arg('input') input: SubmitUsageReportInput, @Ctx() ctx: RequestContext): Promise<UsageReport> {
    return toUsageReport(await ctx.services.usage.submit(ctx.viewer, input));
  }

  @Mutation(() => UsageReport, { description: 'Writes exact reversing entries for a report; the ledger is never edited.' })
  @Allow({ AI_PARTNER: true, INTERNAL: true }, "the reporter before the month's statement is issued; internal at any time")
  async reverseUsageReport(@Arg('input') input: ReverseUsageReportInput, @Ctx() ctx: RequestContext): Promise<UsageReport> {
    return toUsageReport(await ctx.services.usage.reverse(ctx.viewer, input));
  }

  @Query(() => [Statement], {
    description:
      'Statements of a month (YYYY-MM) in a currency: what each rights holder you represent is owed (RECEIVABLE), or what you owe per agreement as an AI partner (PAYABLE); internal sees all.',
  })
  @Allow(EVERY_PARTNER)
  async statements(
    @Arg('period') period: string,
    @Arg('currency', () => CurrencyScalar) currency: string,
    @Arg('kind', () => StatementKind, { nullable: true }) kind: StatementKind | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Statement[]> {
    return (await ctx.services.statements.statements(ctx.viewer, period, currency, { kind })).map(toStatement);
  }

  @FieldResolver(() => [UsageViolation], { nullable: true })
  @Allow(EVERY_PARTNER)
  async violations(@Root() report: UsageReport, @Ctx() ctx: RequestContext): Promise<UsageViolation[]> {
    return (await ctx.loaders.compensation.violationsOfReport.load(report.reportId)).map(toViolation);
  }

  @FieldResolver(() => Partner)
  @Allow(EVERY_PARTNER)
  async aiPartner(@Root() report: UsageReport, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner((await ctx.loaders.partners.partnerById.load(report.aiPartnerId))!);
  }

  @FieldResolver(() => Agreement, { nullable: true })
  @Allow(EVERY_PARTNER)
  async agreement(@Root() report: UsageReport, @Ctx() ctx: RequestContext): Promise<Agreement | null> {
    const row = await ctx.loaders.agreements.agreementById.load(report.agreementId);
    return row ? toAgreement(row) : null;
  }
}

@Resolver(() => Statement)
export class StatementResolver {
  @FieldResolver(() => Partner, { description: 'The rights holder (RECEIVABLE) or the AI partner (PAYABLE).' })
  @Allow(EVERY_PARTNER)
  async partner(@Root() statement: Statement, @Ctx() ctx: RequestContext): Promise<Partner> {
    return toPartner((await ctx.loaders.partners.partnerById.load(statement.partnerId))!);
  }

  @FieldResolver(() => Agreement, { nullable: true, description: 'PAYABLE: the agreement the amounts are owed under.' })
  @Allow(EVERY_PARTNER)
  async agreement(@Root() statement: Statement, @Ctx() ctx: RequestContext): Promise<Agreement | null> {
    if (!statement.agreementId) return null;
    const row = await ctx.loaders.agreements.agreementById.load(statement.agreementId);
    return row ? toAgreement(row) : null;
  }
}
