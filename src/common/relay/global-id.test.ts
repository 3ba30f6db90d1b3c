import { fromGlobalId, idOf, toGlobalId } from './global-id';

const UUID = '0b6d7c4e-1f2a-4b3c-8d9e-0a1b2c3d4e5f';
const ID = toGlobalId('Partner', UUID);

function standardBase64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('global ids', () => {
  it('round-trip', () => {
    expect(fromGlobalId(ID)).toEqual({ type: 'Partner', id: UUID });
    expect(idOf('Partner', ID)).toBe(UUID);
  });

  // One object, one id: other spellings of it would pass duplicate checks made on the ids as sent.
  it.each([
    ['padded with "="', `${ID}=`],
    ['padded with "=="', `${ID}==`],
    ['in standard base64 with padding', standardBase64(`Partner:${UUID}`)],
    ['in standard base64 for another type', standardBase64(`Artist:${UUID}`)],
    ['with a stray character the decoder skips', `${ID.slice(0, 4)}.${ID.slice(4)}`],
    ['with whitespace around it', ` ${ID} `],
  ])('refuses the id %s', (_, globalId) => {
    expect(() => fromGlobalId(globalId)).toThrow(`"${globalId}" is not a valid id`);
  });

  it.each([
    ['no type', toGlobalId('', UUID)],
    ['an upper-case uuid', toGlobalId('Partner', UUID.toUpperCase())],
    ['no uuid', toGlobalId('Partner', 'nope')],
  ])('refuses an id with %s', (_, globalId) => {
    expect(() => fromGlobalId(globalId)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: { id: globalId } }));
  });

  it('refuses the id of another type, naming the field', () => {
    expect(() => idOf('Artist', ID, 'artists[0]')).toThrow(`artists[0]: "${ID}" is not the id of an Artist`);
  });
});
