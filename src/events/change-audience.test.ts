import type { Viewer } from '../auth/viewer';
import { audienceCondition, audienceOf, hears } from './change-audience';

const LABEL_X = '00000000-0000-4000-8000-00000000000a';
const LABEL_Y = '00000000-0000-4000-8000-00000000000b';
const DISTRIBUTOR = '00000000-0000-4000-8000-00000000000d';
const AI = '00000000-0000-4000-8000-0000000000a1';

function viewer(partnerId: string, type: Viewer['type'], mandates: Viewer['mandates'] = []): Viewer {
  return { partnerId, name: partnerId, type, status: 'ACTIVE', mandates };
}

describe('who hears a change', () => {
  it('internal hears everything, with no SQL condition', () => {
    const audience = audienceOf(viewer(AI, 'INTERNAL'));
    expect(hears(audience, [])).toBe(true);
    expect(audienceCondition(audience, [])).toBe('TRUE');
  });

  it('a label or an AI partner hears only the events naming it', () => {
    const label = audienceOf(viewer(LABEL_X, 'LABEL'));
    expect(hears(label, [LABEL_X, LABEL_Y])).toBe(true);
    expect(hears(label, [LABEL_Y])).toBe(false);
    expect(hears(audienceOf(viewer(AI, 'AI_PARTNER')), [LABEL_X])).toBe(false);
  });

  it('a distributor hears a label it holds READ_CATALOG for, not one it only negotiates for', () => {
    const distributor = audienceOf(
      viewer(DISTRIBUTOR, 'DISTRIBUTOR', [
        { labelId: LABEL_X, permissions: ['READ_CATALOG'] },
        { labelId: LABEL_Y, permissions: ['NEGOTIATE'] },
      ]),
    );
    expect(hears(distributor, [LABEL_X])).toBe(true);
    expect(hears(distributor, [LABEL_Y])).toBe(false);
    expect(hears(distributor, [DISTRIBUTOR])).toBe(true);
    const params: unknown[] = ['first'];
    expect(audienceCondition(distributor, params)).toBe('e.partner_ids && $2::uuid[]');
    expect(params[1]).toEqual([DISTRIBUTOR, LABEL_X]);
  });
});
