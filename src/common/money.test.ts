import { MAX_AMOUNT_MINOR, toMinorUnits } from './money';

const MAX_EUR = '100000000000.00';

function caught(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('toMinorUnits', () => {
  it.each([
    [MAX_EUR, 'EUR'],
    ['10000000000000', 'JPY'],
    ['10000000000.000', 'KWD'],
  ])('takes %s %s, the bound', (amount, currency) => {
    expect(toMinorUnits(amount, currency, 'fee')).toBe(MAX_AMOUNT_MINOR);
  });

  it.each([
    ['100000000000.01', 'EUR', MAX_EUR],
    ['10000000000001', 'JPY', '10000000000000'],
    ['9'.repeat(40), 'KWD', '10000000000.000'],
  ])('refuses %s %s, over the bound, naming the field and the maximum', (amount, currency, maximum) => {
    expect(caught(() => toMinorUnits(amount, currency, 'fee'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: `fee: at most ${maximum} ${currency}, got "${amount}"`,
      details: { field: 'fee', maximum },
    });
  });

  it('adds what locates the amount to the details', () => {
    expect(caught(() => toMinorUnits('-1', 'EUR', 'lines[2].revenue', { index: 2 }))).toMatchObject({
      details: { field: 'lines[2].revenue', index: 2 },
    });
  });

  it.each(['-0', '-0.00', '0'])('reads %s as zero', (amount) => {
    expect(toMinorUnits(amount, 'EUR', 'revenue')).toBe(0n);
  });

  it('still refuses a negative amount', () => {
    expect(() => toMinorUnits('-0.01', 'EUR', 'revenue')).toThrow('revenue: must not be negative');
  });
});
