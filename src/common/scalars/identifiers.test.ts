import { parseIsni, parseIsrc, parseIswc } from './identifiers';

describe('ISRC', () => {
  it('normalizes separators and case', () => {
    expect(parseIsrc('us-rc1-76-07839')).toBe('USRC17607839');
  });
  it.each(['USRC1760783', 'USRC176078390', '1SRC17607839', 'USRC17A07839', 'US_RC17607839'])('rejects %s', (value) => {
    expect(() => parseIsrc(value)).toThrow(/not a valid ISRC/);
  });
});

describe('ISWC', () => {
  it('accepts a published code and normalizes it', () => {
    expect(parseIswc('T-034.524.680-1')).toBe('T0345246801');
    expect(parseIswc('T-010.030.120-9')).toBe('T0100301209');
  });
  it('names the expected check digit', () => {
    expect(() => parseIswc('T-034.524.680-2')).toThrow('check digit is 2, expected 1');
  });
  it('rejects the wrong shape', () => {
    expect(() => parseIswc('T03452468')).toThrow(/expected T, 9 digits/);
  });
});

describe('ISNI', () => {
  it('accepts published identifiers, including an X check character', () => {
    expect(parseIsni('0000 0001 2103 2683')).toBe('0000000121032683');
    expect(parseIsni('0000 0001 2146 438X')).toBe('000000012146438X');
  });
  it('names the expected check character', () => {
    expect(() => parseIsni('0000 0001 2103 2684')).toThrow('check character is 4, expected 3');
  });
  it('rejects the wrong shape', () => {
    expect(() => parseIsni('0000 0001 2103')).toThrow(/expected 15 digits/);
  });
});
