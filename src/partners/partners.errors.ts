import { DomainError, ErrorCode } from '../common/errors';

export class InvalidTransitionError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(ErrorCode.INVALID_TRANSITION, message, details);
  }
}
