import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../agreements/agreements.types';
import { Allow, EVERY_PARTNER, relation } from '../auth/policy';
import { actsForAny, isInternal } from '../auth/viewer';
import { CurrencyScalar } from '../common/money';
import { ConnectionType } from '../common/relay/connection';
import { Node } from '../common/relay/node';
import { IsrcScalar } from '../common/scalars/identifiers';
import { TerritoryScalar } from '../common/scalars/territory';
import { UseType } from '../common/use-type';
import { MandatePermission } from '../partners/mandate.entity';
import { LedgerEntryKind } from './compensation.entity';

registerEnumType(LedgerEntryKind, { name: 'LedgerEntryKind' });

export const StatementKind = { RECEIVABLE: 'RECEIVABLE', PAYABLE: 'PAYABLE' } as const;
export type StatementKind = (typeof StatementKind)[keyof typeof StatementKind];
registerEnumType(StatementKind, {
  name: 'StatementKind',
  valuesConfig: {
    RECEIVABLE: { description: 'What a rights holder is owed in the period.' },
    PAYABLE: { description: 'What an AI partner owes under one agreement in the period.' },
  },
});

/** The licensor side of the report's agreement (and internal) may see which uses were not allowed. */
export const licensorOfReport = relation<{ licensorId: string; aiPartnerId: string }>({
  name: 'licensor side or reporter',
  description: "the viewer is the report's AI partner, the agreement's licensor label, or a distributor holding a READ_CATALOG mandate for it",
  holds: (viewer, report) =>
    isInternal(viewer) || viewer.partnerId === report.aiPartnerId || actsForAny(viewer, MandatePermission.READ_CATALOG, [report.licensorId]),
});
const LICENSOR_OR_REPORTER = { LABEL: licensorOfReport, DISTRIBUTOR: licensorOfReport, AI_PARTNER: licensorOfReport, INTERNAL: true } as const;

@ObjectType({ description: 'A reported line that the decision rule denies: recorded, not paid.' })
export class UsageViolation {
  @Field(() => Int)
  @Allow(EVERY_PARTNER)
  lineNumber!: number;

  @Field(() => IsrcScalar)
  @Allow(EVERY_PARTNER)
  isrc!: string;

  @Field(() => UseType)
  @Allow(EVERY_PARTNER)
  useType!: UseType;

  @Field({ description: 'Integer units, as a string (bigint-safe).' })
  @Allow(EVERY_PARTNER)
  units!: string;

  @Field(() => [String], { description: 'Why the decision rule denies the use (the reasons of consentDecisions).' })
  @Allow(EVERY_PARTNER)
  reasons!: string[];
}

@ObjectType({ implements: Node, description: "An AI partner's report of use under one agreement over one period." })
export class UsageReport extends Node {
  reportId!: string;
  aiPartnerId!: string;
  agreementId!: string;
  licensorId!: string;

  @Field()
  @Allow(EVERY_PARTNER)
  periodStart!: Date;

  @Field({ description: 'Exclusive.' })
  @Allow(EVERY_PARTNER)
  periodEnd!: Date;

  @Field({ description: 'The month (UTC, "YYYY-MM") whose statement the report counts in.' })
  @Allow(EVERY_PARTNER)
  statementPeriod!: string;

  @Field(() => TerritoryScalar)
  @Allow(EVERY_PARTNER)
  territory!: string;

  @Field()
  @Allow(EVERY_PARTNER)
  idempotencyKey!: string;

  @Field(() => Int)
  @Allow(EVERY_PARTNER)
  lineCount!: number;

  @Field(() => Int)
  @Allow(EVERY_PARTNER)
  violationCount!: number;

  @Field(() => Money, { nullable: true, description: 'What the AI partner owes for this report (reversals included).' })
  @Allow(EVERY_PARTNER)
  total!: Money;

  @Field(() => Date, { nullable: true })
  @Allow(EVERY_PARTNER)
  reversedAt!: Date | null;

  @Field()
  @Allow(EVERY_PARTNER)
  createdAt!: Date;

  @Field(() => [UsageViolation], { nullable: true, description: 'Lines not paid because the use is not allowed.' })
  @Allow(LICENSOR_OR_REPORTER)
  violations!: UsageViolation[];
}

export const UsageReportConnection = ConnectionType('UsageReport', UsageReport);

@ObjectType({ description: 'One line per work × use type (or per adjustment), with totals that match the CSV.' })
export class StatementLine {
  @Field(() => IsrcScalar, { nullable: true, description: 'Null for an adjustment not tied to a work.' })
  @Allow(EVERY_PARTNER)
  isrc!: string | null;

  @Field(() => String, { nullable: true })
  @Allow(EVERY_PARTNER)
  title!: string | null;

  @Field(() => UseType, { nullable: true })
  @Allow(EVERY_PARTNER)
  useType!: UseType | null;

  @Field(() => LedgerEntryKind)
  @Allow(EVERY_PARTNER)
  kind!: LedgerEntryKind;

  @Field()
  @Allow(EVERY_PARTNER)
  units!: string;

  @Field(() => Money)
  @Allow(EVERY_PARTNER)
  amount!: Money;
}

@ObjectType({ description: 'Derived from the ledger: per rights holder (RECEIVABLE) or per AI partner and agreement (PAYABLE).' })
export class Statement {
  partnerId!: string;
  agreementId!: string | null;

  @Field(() => StatementKind)
  @Allow(EVERY_PARTNER)
  kind!: StatementKind;

  @Field()
  @Allow(EVERY_PARTNER)
  period!: string;

  @Field(() => CurrencyScalar)
  @Allow(EVERY_PARTNER)
  currency!: string;

  @Field({ description: 'The month has ended: the statement is final (only internal corrections change it).' })
  @Allow(EVERY_PARTNER)
  issued!: boolean;

  @Field(() => Money)
  @Allow(EVERY_PARTNER)
  total!: Money;

  @Field(() => [StatementLine])
  @Allow(EVERY_PARTNER)
  lines!: StatementLine[];

  @Field({ description: 'Path of the same statement as CSV (GET with the same bearer token).' })
  @Allow(EVERY_PARTNER)
  csvPath!: string;
}

@InputType()
export class UsageLineInput {
  @Field(() => IsrcScalar)
  isrc!: string;

  @Field(() => UseType)
  useType!: UseType;

  @Field(() => Int, { description: 'Non-negative count of uses.' })
  units!: number;

  @Field(() => String, { nullable: true, description: 'REVENUE_SHARE: revenue attributed to the line, decimal in the agreement currency.' })
  revenue?: string | null;

  @Field(() => ID, { nullable: true, description: 'The consentDecisions batch the use relied on, if any.' })
  decisionId?: string | null;
}

@InputType()
export class SubmitUsageReportInput {
  @Field(() => ID)
  agreementId!: string;

  @Field({ description: 'Inclusive; the period must lie within one calendar month (UTC).' })
  periodStart!: Date;

  @Field({ description: 'Exclusive.' })
  periodEnd!: Date;

  @Field(() => TerritoryScalar, { description: 'Where the use took place (a country, or WORLD for worldwide use).' })
  territory!: string;

  @Field({ description: 'Same key + same payload returns the first result; another payload is refused.' })
  idempotencyKey!: string;

  @Field(() => [UsageLineInput])
  lines!: UsageLineInput[];
}

@InputType()
export class ReverseUsageReportInput {
  @Field(() => ID)
  report!: string;

  @Field()
  reason!: string;
}
