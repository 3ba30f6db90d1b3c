import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/** Apollo Server as it comes, with a one-field schema: the ceiling for `{ __typename }` throughput. */
async function main(): Promise<void> {
  const server = new ApolloServer({ typeDefs: 'type Query { ok: Boolean }', resolvers: {} });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  process.stdout.write(`listening ${new URL(url).port}\n`);
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
