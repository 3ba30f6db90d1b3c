import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { renderSchemaFiles } from '../server/schema-files';

/** `npm run generate`: rewrites schema/schema.graphql and docs/authorization.md from the code. */
async function run(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  for (const [file, content] of Object.entries(await renderSchemaFiles())) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
    process.stdout.write(`wrote ${file}\n`);
  }
}

run().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
