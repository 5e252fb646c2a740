import { describe, expect, it } from 'vitest';
import { boardHref, parseRoute } from './parseRoute.js';

describe('parseRoute', () => {
  it('reads every view the top bar links to', () => {
    expect(parseRoute('')).toEqual({ view: 'building' });
    expect(parseRoute('#/')).toEqual({ view: 'building' });
    expect(parseRoute('#/rollouts')).toEqual({ view: 'rollouts' });
    expect(parseRoute('#/ledger/')).toEqual({ view: 'ledger' });
    expect(parseRoute('#/devices')).toEqual({ view: 'devices' });
  });

  it('reads the board of a board page, and goes back from boardHref', () => {
    expect(parseRoute('#/boards/meeting-1-door')).toEqual({ view: 'board', board: 'meeting-1-door' });
    expect(parseRoute(boardHref('odd id/with slash'))).toEqual({ view: 'board', board: 'odd id/with slash' });
  });

  it('says not-found for anything else, keeping what was asked', () => {
    expect(parseRoute('#/boards/')).toEqual({ view: 'not-found', hash: '#/boards/' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'not-found', hash: '#/nowhere' });
    expect(parseRoute('#/boards/%E0%A4%A')).toEqual({ view: 'not-found', hash: '#/boards/%E0%A4%A' });
  });
});
