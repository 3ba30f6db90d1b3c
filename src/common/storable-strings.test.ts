import { firstUnstorableString, MAX_INPUT_STRING_LENGTH, unstorable } from './storable-strings';

describe('storable strings', () => {
  it('accepts any Unicode text within the length, astral characters and accents included', () => {
    for (const text of ['', 'Nadia Rey', 'Björk Guðmundsdóttir', '東京事変', 'emoji 🎵🎶', 'x'.repeat(MAX_INPUT_STRING_LENGTH)]) {
      expect(unstorable(text)).toBeUndefined();
    }
  });

  it('refuses NUL characters, lone surrogates and over-long strings, saying which', () => {
    expect(unstorable('a\u0000b')).toMatch(/NUL/);
    expect(unstorable('a\ud800b')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorable('a\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorable('🎵'.slice(0, 1))).toMatch(/lone UTF-16 surrogate/);
    expect(unstorable('x'.repeat(MAX_INPUT_STRING_LENGTH + 1))).toMatch(/10001 characters long/);
  });

  it('names where the first bad string is inside variables', () => {
    const variables = { input: [{ title: 'fine', artists: [{ name: 'ok' }] }, { title: 'fine', artists: [{ name: 'bad\u0000' }] }] };
    expect(firstUnstorableString(variables, '')).toEqual({ path: 'input[1].artists[0].name', problem: 'contains a NUL character (U+0000)' });
    expect(firstUnstorableString({ isrcs: ['QZAUR2600001'], at: null, first: 3 }, '')).toBeUndefined();
    expect(firstUnstorableString({ a: ['fine', 'bad\u0000', 'also bad\u0000'], b: 'bad\u0000' }, 'variables')).toEqual({
      path: 'variables.a[1]',
      problem: 'contains a NUL character (U+0000)',
    });
  });

  it('walks variables nested as deep as a body allows (found by fuzzing: 8,000 levels overflowed the stack, a 500)', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"x\\u0000"${']'.repeat(100_000)}`);
    expect(firstUnstorableString({ x: deep }, '')?.problem).toBe('contains a NUL character (U+0000)');
    expect(firstUnstorableString({ x: JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) }, '')).toBeUndefined();
  });
});
