import { isniCheckCharacter } from '../common/scalars/identifiers';
import { ArtistRole } from '../works/work-artist.entity';
import type { WorkInput } from '../works/works.types';

/** A small deterministic catalog: ~50 works over two labels, with featured artists and co-owned works. */
const ARTISTS = [
  'Nova Vale', 'The Lanterns', 'Iris Okafor', 'Mateo Brandt', 'Solenne', 'Kai Whitlock', 'Juniper & Ash',
  'Dara Quinn', 'Low Orbit', 'Yuki Sato', 'Ravi Menon', 'Elsa Lindqvist',
];
const WORDS = ['Northern', 'Glass', 'Echoes', 'Midnight', 'Harbor', 'Silver', 'Static', 'Golden', 'Wild', 'Paper'];
const NOUNS = ['Lights', 'Rivers', 'Hearts', 'Signals', 'Summer', 'Machines', 'Tides', 'Skies', 'Roads', 'Dreams'];

function isniFor(index: number): string {
  const digits = `0000000${String(400000000 + index * 7919).padStart(8, '0')}`.slice(-15);
  return digits + isniCheckCharacter(digits);
}

function artist(index: number) {
  const name = ARTISTS[index % ARTISTS.length];
  return { name, isni: index % 3 === 0 ? isniFor(index % ARTISTS.length) : null };
}

export function demoCatalog(auroraId: string, meridianId: string): WorkInput[] {
  const works: WorkInput[] = [];
  for (let i = 0; i < 50; i += 1) {
    const aurora = i % 2 === 0;
    const coOwned = i === 7 || i === 30;
    const registrant = aurora ? 'AUR' : 'MER';
    const main = artist(i);
    const featured = i % 5 === 0 ? artist(i + 5) : undefined;
    works.push({
      isrc: `QZ${registrant}26${String(i + 1).padStart(5, '0')}`,
      title: `${WORDS[i % WORDS.length]} ${NOUNS[(i * 3) % NOUNS.length]}`,
      iswc: null,
      releaseDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
      artists: [
        { ...main, role: ArtistRole.MAIN },
        ...(featured && featured.name !== main.name ? [{ ...featured, role: ArtistRole.FEATURED }] : []),
      ],
      rightsholders: coOwned
        ? [
            { label: auroraId, shareBps: 6000 },
            { label: meridianId, shareBps: 4000 },
          ]
        : [{ label: aurora ? auroraId : meridianId, shareBps: 10000 }],
    });
  }
  return works;
}
