import { DomainError, ErrorCode } from '../common/errors';

export class IdempotencyKeyReusedError extends DomainError {
  constructor(key: string) {
    super(ErrorCode.IDEMPOTENCY_KEY_REUSED, `idempotencyKey "${key}" was already used with a different payload`, {
      field: 'idempotencyKey',
    });
  }
}
