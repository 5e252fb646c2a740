import type { DashboardBoard, DashboardSpace } from '../DashboardApi.js';
import { BoardTile } from './BoardTile.js';
import type { Colouring } from './ColourBy.js';

/**
 * A space of the building and, inside it, its boards and its inner spaces: the building's own
 * nesting (floor ▸ room), so headings go one level deeper with each space, down to `<h6>`.
 */
export function SpaceSection({ space, level, boards, rolling, by }: { readonly space: DashboardSpace; readonly level: number; readonly boards: ReadonlyMap<string, DashboardBoard>; readonly rolling: boolean; readonly by: Colouring }) {
  const Heading = `h${Math.min(level, 6)}` as 'h2';
  const tiles = space.boards.flatMap((id) => {
    const board = boards.get(id);
    return board === undefined ? [] : [board];
  });
  return (
    <section class={`space space-level-${Math.min(level, 4)}`} aria-labelledby={`space-${space.id}`}>
      <Heading id={`space-${space.id}`} class="space-heading">
        {space.name}
        {space.kind !== '' && <span class="space-kind"> · {space.kind}</span>}
      </Heading>
      {tiles.length > 0 && (
        <ul class="tiles">
          {tiles.map((board) => (
            <li key={board.board}>
              <BoardTile board={board} rolling={rolling} by={by} />
            </li>
          ))}
        </ul>
      )}
      {space.spaces.map((inner) => (
        <SpaceSection key={inner.id} space={inner} level={level + 1} boards={boards} rolling={rolling} by={by} />
      ))}
    </section>
  );
}
