import type { Request, Response } from 'express';
import type { TokenVerifier } from '../auth/jwt';
import { StatementKind } from '../compensation/compensation.types';
import { statementsCsv } from '../compensation/statements.csv';
import { BadInputError, DomainError } from '../common/errors';
import { parseCurrency } from '../common/money';
import { unstorable } from '../common/storable-strings';
import { authenticateHeader } from './authenticate';
import { httpStatusOf } from './format-error';
import type { OperationSafelists } from './operation-safelist';
import type { Services } from './services';

/** A query parameter given once, as text; anything else (`kind[a]=1`, repeated, unstorable) is refused, never ignored. */
function parameter(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new BadInputError(`${name}: give it once, as plain text`, { field: name });
  const problem = unstorable(value);
  if (problem) throw new BadInputError(`${name} ${problem}`, { field: name });
  return value;
}

const KINDS: readonly string[] = Object.values(StatementKind);
const PARAMETERS = ['period', 'currency', 'kind', 'partner', 'agreement'];

/**
 * GET /statements.csv?period=YYYY-MM&currency=EUR[&kind=…&partner=…&agreement=…]: the statements the
 * bearer may read, as CSV, from the same service and rules as the `statements` query.
 */
export function statementsCsvRoute(verifier: TokenVerifier, services: Services, safelists: OperationSafelists) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const { viewer } = await authenticateHeader(verifier, services, req.headers.authorization);
      // A partner held to its safelisted operations has no CSV route: its list can hold the statements query.
      const refusal = safelists.refusal(viewer.partnerId, () => undefined);
      if (refusal) throw refusal;
      const unknown = Object.keys(req.query).find((name) => !PARAMETERS.includes(name));
      if (unknown !== undefined) throw new BadInputError(`unknown parameter "${unknown}": expected ${PARAMETERS.join(', ')}`, { field: unknown });
      const period = parameter(req, 'period');
      const currency = parameter(req, 'currency');
      if (!period || !currency) throw new BadInputError('period and currency are required', { field: period ? 'currency' : 'period' });
      const kind = parameter(req, 'kind');
      if (kind && !KINDS.includes(kind)) throw new BadInputError(`kind: "${kind}" is not RECEIVABLE or PAYABLE`, { field: 'kind' });
      let code: string;
      try {
        code = parseCurrency(currency);
      } catch (error) {
        throw new BadInputError((error as Error).message, { field: 'currency' });
      }
      const statements = await services.statements.statements(viewer, period, code, {
        kind: kind as StatementKind | undefined,
        partner: parameter(req, 'partner'),
        agreement: parameter(req, 'agreement'),
      });
      res
        .status(200)
        .type('text/csv; charset=utf-8')
        .attachment(`accord-statements-${period}-${code}.csv`)
        .send(statementsCsv(statements));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      res.status(httpStatusOf(error.code)).json({ errors: [{ message: error.message, extensions: { code: error.code, ...error.details } }] });
    }
  };
}
