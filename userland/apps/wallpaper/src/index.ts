// Shows the space's name on its e-ink wall and whether anyone is in it. E-ink keeps its
// image without power and refreshes slowly, so the app redraws only when the answer changes.
// Written in plain TypeScript (docs/typescript-apps.md): it runs in the board's script engine.
import { app, config, display, EventKind, presence, Status } from 'osmose';

const screen = display.open('screen');

/** What the wall shows: nothing yet (or a draw failed, or presence could not be read), or whether the space is in use. */
type Shown = 'nothing' | 'free' | 'in use';
let shown: Shown = 'nothing';

function show(occupied: boolean): Status {
  const wanted: Shown = occupied ? 'in use' : 'free';
  if (wanted === shown) return Status.Ok;
  const status = screen.showText(`${config.spaceName()} - ${wanted}`);
  // Remember only what is really on the wall, so a failed draw is tried again.
  shown = status === Status.Ok ? wanted : 'nothing';
  return status;
}

app({
  start() {
    const present = presence.count();
    // Presence could not be read: show the name alone rather than guess, and report why.
    if (present < 0) {
      screen.showText(config.spaceName());
      return present;
    }
    return show(present > 0);
  },
  handle(kind, _source, value) {
    if (kind !== EventKind.Arrived && kind !== EventKind.Left) return Status.Ignored;
    // value: how many people are present now.
    return show(value > 0);
  },
});
