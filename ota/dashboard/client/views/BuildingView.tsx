import { useState } from 'preact/hooks';
import type { DashboardOverview } from '../../DashboardApi.js';
import { ColourBy, savedColouring, type Colouring } from '../ColourBy.js';
import { HealthLegend } from '../HealthLegend.js';
import { rolloutFinished } from '../rolloutActions.js';
import { RolloutLine } from '../RolloutLine.js';
import { SpaceSection } from '../SpaceSection.js';
import { ViewHeading } from '../ViewHeading.js';

/** `#/`: the building as its spaces nest, each board a tile coloured by health or by version. */
export function BuildingView({ overview }: { readonly overview: DashboardOverview }) {
  const [by, setBy] = useState<Colouring>(savedColouring);
  const boards = new Map(overview.boards.map((board) => [board.board, board]));
  const live = overview.rollout !== null && !rolloutFinished(overview.rollout.status);
  const placed = new Set<string>();
  const collect = (spaces: DashboardOverview['building']['spaces']): void => {
    for (const space of spaces) {
      for (const id of space.boards) placed.add(id);
      collect(space.spaces);
    }
  };
  collect(overview.building.spaces);
  const unplaced = overview.boards.filter((board) => !placed.has(board.board));
  return (
    <>
      <ViewHeading>{overview.building.name}</ViewHeading>
      {overview.rollout !== null && live && <RolloutLine rollout={overview.rollout} />}
      <div class="legend-bar">
        <ColourBy value={by} onChange={setBy} />
        <HealthLegend by={by} />
      </div>
      {overview.building.spaces.map((space) => (
        <SpaceSection key={space.id} space={space} level={2} boards={boards} rolling={live} by={by} />
      ))}
      {unplaced.length > 0 && (
        <SpaceSection space={{ id: 'unplaced', name: 'Boards in no space', kind: '', spaces: [], boards: unplaced.map((board) => board.board) }} level={2} boards={boards} rolling={live} by={by} />
      )}
    </>
  );
}
