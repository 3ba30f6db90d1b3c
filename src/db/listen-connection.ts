import { Client, type ClientConfig } from 'pg';
import type { DataSource, DataSourceOptions } from 'typeorm';

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/**
 * A connection of its own, outside the pool, to the DataSource's database: LISTEN belongs to a session,
 * and a pooled connection would hand it to whichever query borrows the connection next. TLS settings
 * come with the URL (`sslmode=…`), as for the pool: ormconfig.ts sets no `ssl` option.
 */
export function listenConnection(dataSource: DataSource, applicationName: string): Client {
  const options = dataSource.options as PostgresOptions;
  const config: ClientConfig = options.url
    ? { connectionString: options.url }
    : {
        host: options.host,
        port: options.port,
        user: options.username,
        password: typeof options.password === 'string' ? options.password : undefined,
        database: options.database,
      };
  return new Client({
    ...config,
    application_name: applicationName,
    // A silently dropped connection would stop notifications; keepalives make the drop an error we see.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
}
