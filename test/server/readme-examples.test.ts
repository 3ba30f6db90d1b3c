import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeDemoTokens } from '../../src/seed/demo-tokens';
import { seedDemoDeals } from '../../src/seed/demo-deals';
import { seedDemo } from '../../src/seed/seed-demo';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, testSettings, type TestGateway } from '../support/gateway';
import { bashBlocks, keepsPromise, readmeScript } from '../support/readme-shell';

/**
 * The README's shell examples, pasted in order into one bash, against a gateway holding what `npm start`
 * seeds. Every ```bash block runs, except those under these headings:
 * - "Accord" and "Tokens": npm install, npm start, npm test, npm run token; this test stands in for them;
 * - "Rotating the receipt key": sets a deployment's keys, on replicas restarted between its steps;
 * - "Operation safelists (optional)": needs the gateway restarted with OPERATION_SAFELIST_DIR halfway
 *   through (test/server/operation-safelist.test.ts covers what it shows).
 */
const NOT_RUN = ['Accord', 'Tokens', 'Rotating the receipt key', 'Operation safelists (optional)'];
const README_URL = 'http://127.0.0.1:4000';
const README = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
const blocks = bashBlocks(README).filter((block) => !NOT_RUN.includes(block.heading));

/** Keeps every answer in a numbered file, and ties each `# →` line to the latest answer. */
const HARNESS = `set -euo pipefail
curl() { command curl "$@" | tee "$ANSWERS/$(printf '%03d' "$(ls "$ANSWERS" | wc -l)")"; }
answered() { echo "$1 $(ls "$ANSWERS" | wc -l)" >> "$PROMISES"; }
`;

let db: TestDatabase;
let gateway: TestGateway;
let workDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // What `npm start` seeds: the partners and catalog, then the demo agreements and consent.
  await seedDemo(db.dataSource);
  await seedDemoDeals(db.dataSource);
  gateway = await startTestGateway(db.dataSource);
  // The examples read `./.data/demo-tokens.json`: written here as `npm start` writes it, with tokens for this gateway.
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-readme-'));
  await writeDemoTokens(db.dataSource, testSettings({ dataDir: path.join(workDir, '.data') }));
});
afterAll(async () => {
  await gateway?.close();
  await db?.drop();
  if (workDir) fs.rmSync(workDir, { recursive: true });
});

describe('the README shell examples', () => {
  it('are found', () => {
    expect(blocks.map((block) => block.heading)).toEqual(
      expect.arrayContaining(['Try it', 'Agreements', 'Usage, the ledger and statements', 'Consent and decisions']),
    );
  });

  it('use end dates that have not passed yet', () => {
    const passed = blocks.flatMap((block) =>
      block.lines.flatMap((line, index) =>
        [...line.matchAll(/"(endsAt|validUntil)":"([^"]+)"/g)]
          .filter(([, , date]) => new Date(date) <= new Date())
          .map(([, field, date]) => `README.md:${block.firstLine + index}: ${field} ${date} has passed`),
      ),
    );
    // Past them the agreement reads EXPIRED and the consent is refused: move them on, with the terms in src/seed/demo-deals.ts.
    expect(passed).toEqual([]);
  });

  it('run as pasted, in order, and answer what they promise', async () => {
    const { code, promises } = readmeScript(blocks);
    const answersDir = path.join(workDir, 'answers');
    const promisesFile = path.join(workDir, 'promises');
    fs.mkdirSync(answersDir);
    fs.writeFileSync(path.join(workDir, 'readme.sh'), `${HARNESS}${code.replaceAll(README_URL, gateway.origin)}\n`);

    // A clean environment: no proxy variables, NODE_OPTIONS or ~/.curlrc of the test run reach curl and node.
    const env = { PATH: process.env.PATH ?? '', HOME: workDir, ANSWERS: answersDir, PROMISES: promisesFile };
    await promisify(execFile)('bash', ['readme.sh'], { cwd: workDir, env, timeout: 30_000 }).catch(
      (error: { code: number | string; stderr: string }) => {
        throw new Error(`the README examples stopped (exit ${error.code}):\n${error.stderr}`);
      },
    );

    const answers = fs.readdirSync(answersDir).sort().map((file) => fs.readFileSync(path.join(answersDir, file), 'utf8'));
    const ties = fs.readFileSync(promisesFile, 'utf8').trim().split('\n').map((row) => row.split(' ').map(Number));
    const answerIndexOf = new Map(ties.map(([line, answerCount]) => [line, answerCount - 1]));
    const problems: string[] = [];
    for (const { line, text } of promises) {
      const answer = answers[answerIndexOf.get(line) ?? -1];
      if (answer === undefined) problems.push(`README.md:${line}: no answer before this line`);
      else if (!keepsPromise(text, answer)) problems.push(`README.md:${line}: promised\n${text}\nbut got\n${answer}`);
    }
    answers.forEach((answer, index) => {
      const errorsShown = promises.some(({ line, text }) => answerIndexOf.get(line) === index && text.includes('"errors"'));
      if (!answer.trim()) problems.push(`answer ${index + 1} is empty`);
      else if (answer.includes('"errors"') && !errorsShown) problems.push(`an answer with errors no \`# →\` line shows:\n${answer}`);
    });
    expect(problems).toEqual([]);
  });
});
