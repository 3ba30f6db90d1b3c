import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Foundation1764000000000 } from './migrations/1764000000000-Foundation';
import { ChangeFeed1764200000000 } from './migrations/1764200000000-ChangeFeed';
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
];
export const migrations = [Foundation1764000000000, ChangeFeed1764200000000];

export function dataSourceOptions(url: string): DataSourceOptions {
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
    extra: { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), application_name: 'accord' },
  };
}

export function buildDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}

/** For the TypeORM CLI: `npx typeorm -d dist/ormconfig.js migration:show`. */
export default buildDataSource(process.env.DATABASE_URL ?? 'postgres://localhost/accord');
