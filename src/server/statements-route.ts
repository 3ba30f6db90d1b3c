import type { Request, Response } from 'express';
import type { TokenVerifier } from '../auth/jwt';
import { StatementKind } from '../compensation/compensation.types';
import { statementsCsv } from '../compensation/statements.csv';
import { BadInputError, DomainError } from '../common/errors';
import { parseCurrency } from '../common/money';
import { authenticateHeader } from './authenticate';
import { httpStatusOf } from './format-error';
import type { Services } from './services';

function parameter(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * GET /statements.csv?period=YYYY-MM&currency=EUR[&kind=…&partner=…&agreement=…]: the statements the
 * bearer may read, as CSV, from the same service and rules as the `statements` query.
 */
export function statementsCsvRoute(verifier: TokenVerifier, services: Services) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const { viewer } = await authenticateHeader(verifier, services, req.headers.authorization);
      const period = parameter(req, 'period');
      const currency = parameter(req, 'currency');
      if (!period || !currency) throw new BadInputError('period and currency are required', { field: period ? 'currency' : 'period' });
      const kind = parameter(req, 'kind');
      if (kind && !(kind in StatementKind)) throw new BadInputError(`kind: "${kind}" is not RECEIVABLE or PAYABLE`, { field: 'kind' });
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
