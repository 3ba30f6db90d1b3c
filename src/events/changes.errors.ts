import { BadInputError } from '../common/errors';

/** The events after a cursor are no longer all kept: the subscriber must rebuild its state from queries. */
export class CursorExpiredError extends BadInputError {
  constructor() {
    super(
      'since: events after this cursor have been pruned (outbox retention); resynchronize through queries, then subscribe without since',
      { field: 'since', reason: 'CURSOR_EXPIRED' },
    );
  }
}
