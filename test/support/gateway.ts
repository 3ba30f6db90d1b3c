import pino from 'pino';
import type { DataSource } from 'typeorm';
import { mintToken } from '../../src/auth/jwt';
import { readSettings, type JwtSettings, type Settings } from '../../src/config';
import { generateReceiptKey } from '../../src/decisions/receipt';
import { startGateway, type Gateway } from '../../src/server/gateway';

export const TEST_JWT: JwtSettings = {
  issuer: 'accord-test',
  audience: 'accord-test-gateway',
  algorithms: ['HS256'],
  secret: 'accord-test-secret-that-is-long-enough',
};

/** A GraphQL response body or a part of it, read in the shape of the operation the test sent. */
export type Json = any; // any: see above; each test asserts the shape it expects

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: Json;
}

export interface TestGateway extends Gateway {
  /** POSTs a GraphQL operation as a partner's client would. */
  request(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  origin: string;
}

/** One receipt key per test process, as a deployment has one configured key. */
const TEST_RECEIPT_KEY = generateReceiptKey();

export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    ...readSettings({ NODE_ENV: 'test' }),
    port: 0,
    host: '127.0.0.1',
    jwt: TEST_JWT,
    receipt: { signingKey: TEST_RECEIPT_KEY },
    ...overrides,
  };
}

export function tokenFor(partnerId: string, ttlSeconds = 600): string {
  return mintToken(TEST_JWT, partnerId, ttlSeconds);
}

/** The real gateway (Express, Apollo, policy, services) on a random local port. */
export async function startTestGateway(
  dataSource: DataSource,
  overrides: Partial<Settings> = {},
  logger = pino({ level: 'silent' }),
): Promise<TestGateway> {
  const gateway = await startGateway({ dataSource, settings: testSettings(overrides), logger });
  const origin = gateway.url.replace(/\/graphql$/, '');
  return {
    ...gateway,
    origin,
    async request(token, query, variables) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: await response.json() };
    },
  };
}
