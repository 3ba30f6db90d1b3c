import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Foundation1764000000000 } from './migrations/1764000000000-Foundation';
import { Agreements1764100000000 } from './migrations/1764100000000-Agreements';
import { CostBudget1764400000000 } from './migrations/1764400000000-CostBudget';
import { Consent1764200000000 } from './migrations/1764200000000-Consent';
import { Compensation1764300000000 } from './migrations/1764300000000-Compensation';
import { AgreementEntity, AgreementHistoryEntity, AgreementTermsEntity } from './src/agreements/agreement.entity';
import { ConsentRecordEntity } from './src/consent/consent-record.entity';
import { DecisionBatchEntity } from './src/decisions/decision-batch.entity';
import { LedgerEntryEntity, UsageLineEntity, UsageReportEntity } from './src/compensation/compensation.entity';
import { ChangeFeed1764250000000 } from './migrations/1764250000000-ChangeFeed';
import { WorkChangesByIsrc1764500000000 } from './migrations/1764500000000-WorkChangesByIsrc';
import { ChangeEventEntity } from './src/events/change-event.entity';
import { MandateEntity } from './src/partners/mandate.entity';
import { PartnerEntity } from './src/partners/partner.entity';
import { ArtistEntity } from './src/works/artist.entity';
import { RightShareEntity } from './src/works/right-share.entity';
import { WorkArtistEntity } from './src/works/work-artist.entity';
import { WorkEntity } from './src/works/work.entity';
import { QueryCounter } from './src/db/query-counter';

/**
 * The one DataSource definition, for the gateway, the TypeORM CLI and the tests. Migrations are listed
 * explicitly (not globbed) so the same list loads from TypeScript under jest and from compiled output.
 * Schema changes only ever come from migrations: `synchronize` stays off.
 */
export const entities = [
  PartnerEntity,
  MandateEntity,
  WorkEntity,
  ArtistEntity,
  WorkArtistEntity,
  RightShareEntity,
  ChangeEventEntity,
  AgreementEntity,
  AgreementTermsEntity,
  AgreementHistoryEntity,
  ConsentRecordEntity,
  DecisionBatchEntity,
  UsageReportEntity,
  UsageLineEntity,
  LedgerEntryEntity,
];
export const migrations = [
  Foundation1764000000000,
  Agreements1764100000000,
  Consent1764200000000,
  ChangeFeed1764250000000,
  Compensation1764300000000,
  CostBudget1764400000000,
  WorkChangesByIsrc1764500000000,
];

/** `poolSize`: connections per process (settings' DATABASE_POOL_SIZE for the gateway). */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['query', 'error'],
    logger: new QueryCounter(),
    extra: { max: poolSize, application_name: 'accord' },
  };
}

export function buildDataSource(url: string, poolSize?: number): DataSource {
  return new DataSource(dataSourceOptions(url, poolSize));
}

/** For the TypeORM CLI: `npx typeorm -d dist/ormconfig.js migration:show`. */
export default buildDataSource(process.env.DATABASE_URL ?? 'postgres://localhost/accord');
