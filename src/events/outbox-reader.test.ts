import { committedBy } from './outbox-reader';

describe('committedBy (which transactions a snapshot saw committed)', () => {
  const snapshot = { xmin: 100n, xmax: 110n, running: new Set([100n, 104n]) };

  it('sees every transaction older than its oldest running one, and those between that finished', () => {
    expect(committedBy(snapshot, 42n)).toBe(true);
    expect(committedBy(snapshot, 103n)).toBe(true);
  });

  it('does not see those still running when it was taken, nor any that started after', () => {
    expect(committedBy(snapshot, 100n)).toBe(false);
    expect(committedBy(snapshot, 104n)).toBe(false);
    expect(committedBy(snapshot, 110n)).toBe(false);
    expect(committedBy(snapshot, 2n ** 40n)).toBe(false);
  });
});
