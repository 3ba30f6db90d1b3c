import { createHash } from 'node:crypto';
import { fromGlobalId } from '../../src/common/relay/global-id';
import { QueryCounter } from '../../src/db/query-counter';
import { insertAgreement } from '../support/agreements-fixtures';
import { insertBulkWorks } from '../support/catalog-fixtures';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import { generateReceiptKey } from '../../src/decisions/receipt';
import { startTestGateway, type TestGateway, type Json } from '../support/gateway';
import { holdingTransaction, lockWaiters, waitUntil } from '../support/locks';
import { DECIDE } from './decide-query';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
/** 10,000 works of Aurora's, ISRC QZBLK26xxxxx, every other one granted for TRAINING, licensed to Resonance. */
let isrcs: string[];

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  isrcs = await insertBulkWorks(db.dataSource, { registrant: 'BLK', count: 10000, label: demo.aurora.id, grantEvery: 2, grantedFrom: '2020-01-01' });
  await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.resonance.id });
});
afterAll(() => stopDemoGateway({ db, gateway }));

function ask(token: string, variables: Record<string, unknown>) {
  return gateway.request(token, DECIDE, { use: 'TRAINING', territory: 'FR', ...variables });
}

describe('a batch of decisions', () => {
  it('answers every ISRC in the order asked, the unknown ones as UNKNOWN_WORK', async () => {
    const asked = ['QZBLK2600002', 'QZNOP2600001', 'QZBLK2600001'];
    const { body } = await ask(demo.resonance.token, { isrcs: asked });
    expect(body.errors).toBeUndefined();
    expect(body.data.consentDecisions.decisions.map((d: Json) => [d.isrc, d.decision, d.reasons])).toEqual([
      ['QZBLK2600002', 'ALLOW', []],
      ['QZNOP2600001', 'DENY', ['UNKNOWN_WORK']],
      ['QZBLK2600001', 'DENY', ['NO_CONSENT']],
    ]);
  });

  it('costs the same small number of SQL statements for 1, 100 and 10,000 ISRCs', async () => {
    const counts: number[] = [];
    for (const n of [1, 100, 10000]) {
      QueryCounter.reset();
      const { body } = await ask(demo.resonance.token, { isrcs: isrcs.slice(0, n) });
      expect(body.errors).toBeUndefined();
      expect(body.data.consentDecisions.decisions).toHaveLength(n);
      counts.push(QueryCounter.statements);
    }
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    expect(counts[0]).toBeLessThanOrEqual(3);
  });

  it('refuses more than 10,000 ISRCs, naming the limit', async () => {
    const { body } = await ask(demo.resonance.token, { isrcs: [...isrcs, 'QZBLK2610001'] });
    expect(body.data).toBeNull();
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'isrcs', maximum: 10000 });
  });

  it('refuses duplicates, naming them (in any notation)', async () => {
    const { body } = await ask(demo.resonance.token, { isrcs: ['QZBLK2600001', 'QZBLK2600002', 'qz-blk-26-00001'] });
    expect(body.errors[0].message).toBe('isrcs[2] (QZBLK2600001): duplicate of isrcs[0]');
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 2, isrc: 'QZBLK2600001' });
  });

  it('refuses a malformed ISRC at the edge, naming it', async () => {
    const { body } = await ask(demo.resonance.token, { isrcs: ['QZBLK2600001', 'NOT-AN-ISRC'] });
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/"NOT-AN-ISRC" is not a valid ISRC/);
  });

  it('records the batch, with the ISRCs it allowed, under its decisionId', async () => {
    const { body } = await ask(demo.resonance.token, { isrcs: isrcs.slice(0, 4) });
    const batch = body.data.consentDecisions;
    const [row] = await db.dataSource.query(
      `SELECT ai_partner_id, requested_by, use_type, territory, work_count, digest, allowed_isrcs FROM decision_batch
       WHERE id = $1`,
      [fromGlobalId(batch.decisionId).id],
    );
    expect(row).toEqual({
      ai_partner_id: demo.resonance.id,
      requested_by: demo.resonance.id,
      use_type: 'TRAINING',
      territory: 'FR',
      work_count: 4,
      digest: batch.digest,
      allowed_isrcs: ['QZBLK2600002', 'QZBLK2600004'],
    });
  });

  it('is answered only once its record has committed', async () => {
    // A SHARE lock lets the rule read but makes the record's INSERT wait.
    const lock = await holdingTransaction(db.dataSource, 'LOCK TABLE decision_batch IN SHARE MODE', []);
    let answered = false;
    const answer = ask(demo.resonance.token, { isrcs: isrcs.slice(0, 2) }).then((response) => {
      answered = true;
      return response;
    });
    try {
      await waitUntil(async () => (await lockWaiters(db.dataSource)) === 1);
      // The decisions are made and their record waits: an answer that did not wait for it would arrive now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
    } finally {
      await lock.commitTransaction();
      await lock.release();
    }
    const { body } = await answer;
    const decisionId = fromGlobalId(body.data.consentDecisions.decisionId).id;
    expect(await db.dataSource.query(`SELECT work_count FROM decision_batch WHERE id = $1`, [decisionId])).toEqual([{ work_count: 2 }]);
  });

  it('is an INTERNAL_SERVER_ERROR without any decision when its record cannot be written', async () => {
    await db.dataSource.query(`CREATE FUNCTION refuse_batch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no space left'; END $$`);
    await db.dataSource.query(`CREATE TRIGGER refuse_batch BEFORE INSERT ON decision_batch FOR EACH ROW EXECUTE FUNCTION refuse_batch()`);
    try {
      const [{ n: before }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`);
      const { status, body } = await ask(demo.resonance.token, { isrcs: isrcs.slice(0, 2) });
      // As for any failure during execution: the result, with no data, and the error's code.
      expect(status).toBe(200);
      expect(body).toEqual({
        data: null,
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } }],
        extensions: { cost: expect.any(Object) },
      });
      expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`)).toEqual([{ n: before }]);
    } finally {
      await db.dataSource.query(`DROP TRIGGER refuse_batch ON decision_batch; DROP FUNCTION refuse_batch()`);
    }
  });
});

describe('the receipt', () => {
  it('verifies with a standard JOSE library against /.well-known/jwks.json and matches the decisions', async () => {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    const { body } = await ask(demo.resonance.token, { isrcs: isrcs.slice(0, 50), at: '2026-01-01T00:00:00.000Z' });
    const batch = body.data.consentDecisions;

    const jwks = createRemoteJWKSet(new URL(`${gateway.origin}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(batch.receipt, jwks, { algorithms: ['ES256'], issuer: 'accord-test' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      decisionId: batch.decisionId,
      partner: demo.resonance.globalId,
      use: 'TRAINING',
      territory: 'FR',
      at: '2026-01-01T00:00:00.000Z',
      evaluatedAt: batch.evaluatedAt,
      count: 50,
      digest: batch.digest,
    });

    // The digest is recomputed from the decisions as received, as the field's documentation says.
    const lines = batch.decisions.map((d: Json) =>
      [d.isrc, d.decision, d.reasons.join(','), d.rightsholdersWithoutAgreement.join(','), d.agreements.join(','), d.consentRecords.join(',')].join('|'),
    );
    expect(createHash('sha256').update(lines.join('\n')).digest('base64url')).toBe(payload.digest);
  });

  it('does not verify once tampered with', async () => {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    const { body } = await ask(demo.resonance.token, { isrcs: isrcs.slice(0, 2) });
    const [header, payload, signature] = body.data.consentDecisions.receipt.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, use: 'VOICE_MODEL' })).toString('base64url');
    const jwks = createRemoteJWKSet(new URL(`${gateway.origin}/.well-known/jwks.json`));
    await expect(jwtVerify(`${header}.${forged}.${signature}`, jwks)).rejects.toThrow(/signature verification failed/);
  });
  it('signed before a key rotation, still verifies against the JWKS after it', async () => {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    const before = (await ask(demo.resonance.token, { isrcs: isrcs.slice(0, 3) })).body.data.consentDecisions.receipt;
    const jwksBefore = await (await fetch(`${gateway.origin}/.well-known/jwks.json`)).text();
    // The replica after the rotation: a new signing key, the JWKS served before kept published.
    const rotated = await startTestGateway(db.dataSource, { receipt: { signingKey: generateReceiptKey(), publishedKeys: jwksBefore } });
    try {
      const after = (await rotated.request(demo.resonance.token, DECIDE, { use: 'TRAINING', territory: 'FR', isrcs: isrcs.slice(0, 3) })).body.data
        .consentDecisions.receipt;
      const jwks = createRemoteJWKSet(new URL(`${rotated.origin}/.well-known/jwks.json`));
      const kids = [];
      for (const receipt of [before, after]) {
        const { protectedHeader } = await jwtVerify(receipt, jwks, { algorithms: ['ES256'], issuer: 'accord-test' });
        kids.push(protectedHeader.kid);
      }
      expect(new Set(kids).size).toBe(2);
    } finally {
      await rotated.close();
    }
  });
});

describe('who may ask', () => {
  it('a label cannot ask, for itself or on behalf of an AI partner', async () => {
    for (const variables of [{}, { aiPartner: demo.resonance.globalId }]) {
      const { body } = await gateway.request(
        demo.aurora.token,
        `query($p: ID) { consentDecisions(isrcs: ["QZBLK2600001"], use: TRAINING, territory: "FR", aiPartner: $p) { decisionId } }`,
        { p: (variables as { aiPartner?: string }).aiPartner },
      );
      expect(body.data).toBeNull();
      expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  it('a distributor cannot ask', async () => {
    const { body } = await ask(demo.tidewater.token, { isrcs: ['QZBLK2600001'] });
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('an AI partner cannot ask for another AI partner', async () => {
    const { body } = await gateway.request(
      demo.cadence.token,
      `query($p: ID) { consentDecisions(isrcs: ["QZBLK2600002"], use: TRAINING, territory: "FR", aiPartner: $p) { decisionId } }`,
      { p: demo.resonance.globalId },
    );
    expect(body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'aiPartner' });
  });

  it('an AI partner gets its own answers: what is licensed to another is denied to it', async () => {
    const { body } = await ask(demo.cadence.token, { isrcs: ['QZBLK2600002'] });
    expect(body.data.consentDecisions.aiPartner).toBe(demo.cadence.globalId);
    expect(body.data.consentDecisions.decisions[0].reasons).toEqual(['NO_AGREEMENT']);
  });

  it('internal asks on behalf of a named AI partner, and must name one', async () => {
    const query = `query($p: ID) { consentDecisions(isrcs: ["QZBLK2600002"], use: TRAINING, territory: "FR", aiPartner: $p) { aiPartner decisions { decision } } }`;
    const named = await gateway.request(demo.operations.token, query, { p: demo.resonance.globalId });
    expect(named.body.data.consentDecisions).toEqual({ aiPartner: demo.resonance.globalId, decisions: [{ decision: 'ALLOW' }] });
    const unnamed = await gateway.request(demo.operations.token, query, {});
    expect(unnamed.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'aiPartner' });
    const label = await gateway.request(demo.operations.token, query, { p: demo.aurora.globalId });
    expect(label.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'aiPartner' });
  });

  it('the JWKS is public and holds the one ES256 verification key, without its private part', async () => {
    const response = await fetch(`${gateway.origin}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0].d).toBeUndefined();
  });
});
