import { coversTerritory } from './territory';

describe('coversTerritory', () => {
  const world = { territories: ['WORLD'], excludedTerritories: [] };
  const worldButUs = { territories: ['WORLD'], excludedTerritories: ['US'] };
  const france = { territories: ['FR'], excludedTerritories: [] };

  it.each([
    [world, 'FR', true],
    [world, 'WORLD', true],
    [worldButUs, 'FR', true],
    [worldButUs, 'US', false],
    [worldButUs, 'WORLD', false],
    [france, 'FR', true],
    [france, 'DE', false],
    [france, 'WORLD', false],
  ])('%j covers %s: %s', (scope, territory, covered) => {
    expect(coversTerritory(scope, territory)).toBe(covered);
  });
});
