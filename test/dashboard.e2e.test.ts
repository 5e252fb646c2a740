import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { ledgerRef } from '../builder/ledger/ledgerRef.js';
import { runCli } from '../cli/runCli.js';
import type { GatewayStatus } from '../ota/gateway/gatewayStatus.js';
import { weekdays } from '../ota/rollout/RolloutSpec.js';
import { rolloutRef } from '../ota/rollout/rolloutRef.js';
import type { DashboardRollouts } from '../ota/dashboard/DashboardApi.js';
import { startSimulator, type RunningSimulator } from './startSimulator.js';

// The building's dashboard in a real browser (Debian chromium, driven by playwright-core): a
// whole simulated building runs under its gateway in a process of its own (`osmose sim --listen
// … --dashboard …`, as an operator starts it); the page must agree with `osmose status --json`,
// take a rollout from its form to 100%, refuse operator actions without the credential, and
// show why a board went back to its old image. Screenshots go to test-output/dashboard/.
const chromiumPath = '/usr/bin/chromium';
const shots = join(import.meta.dirname, '..', 'test-output', 'dashboard');
let parent: string;
let root: string;
let sim: RunningSimulator;
let url: string;
let browser: Browser;
let page: Page;

const lightsApp = (): string => join(root, 'apps', 'lights', 'assembly', 'index.ts');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `osmose status --json`, as an operator's script reads it. */
async function status(): Promise<GatewayStatus> {
  let out = '';
  const code = await runCli(['-C', root, 'status', '--json'], { cwd: root, stdout: (text) => (out += text), stderr: () => undefined, env: {}, interactive: false });
  expect(code).toBe(0);
  return JSON.parse(out) as GatewayStatus;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Each board's tile on the building view: its id, version and health, as the page shows them. */
async function tiles(): Promise<{ board: string; version: string; health: string }[]> {
  const links = await page.locator('[data-board]').all();
  return Promise.all(links.map(async (link) => ({ board: (await link.getAttribute('data-board')) ?? '', version: (await link.getAttribute('data-version')) ?? '', health: (await link.getAttribute('data-health')) ?? '' })));
}

async function build(): Promise<string> {
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) });
  return execFileSync('git', ['rev-parse', ledgerRef], { cwd: root, encoding: 'utf8' }).trim();
}

async function startRolloutFromPage(waves: string, maxFailures: string): Promise<void> {
  await page.goto(`${url}#/rollouts`);
  await page.getByLabel('Waves').fill(waves);
  await page.getByLabel('Max failures').fill(maxFailures);
  await page.getByLabel('Health timeout').fill('30s');
  await page.getByRole('button', { name: 'Start rollout' }).click();
}

beforeAll(async () => {
  await mkdir(shots, { recursive: true });
  parent = await mkdtemp(join(tmpdir(), 'osmose-dashboard-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking', '--name', 'Coworking (dashboard test)'], { cwd: parent, stdout: () => undefined, stderr: () => undefined, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' }, interactive: false })).toBe(0);
  await buildBuilding({ root, timestamp: Math.floor(Date.now() / 1000) - 60 });
  sim = await startSimulator(root, ['--listen', '127.0.0.1:0', '--dashboard', '127.0.0.1:0', '--heartbeat', '100']);
  url = String(sim.events.find((event) => event['event'] === 'dashboard')?.['url']);
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await until('every board to be online', async () => ((await status()).boards.every((board) => board.online && board.heartbeats > 0) ? true : undefined));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await sim?.stop();
  if (parent !== undefined) await rm(parent, { recursive: true, force: true });
});

describe('the building dashboard in a real browser', () => {
  it('shows every board with the version osmose status --json gives, live', async () => {
    await page.goto(url);
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    const expected = await status();
    await until('a tile for every board', async () => ((await tiles()).length === expected.boards.length ? true : undefined));
    expect(await page.getByTestId('board-count').textContent()).toBe(String(expected.boards.length));
    const shown = await tiles();
    expect(shown.map((tile) => tile.board).sort()).toEqual(expected.boards.map((board) => board.board).sort());
    for (const board of expected.boards) expect(shown.find((tile) => tile.board === board.board)?.version, board.board).toBe(String(board.version));
    expect(new Set(shown.map((tile) => tile.health))).toEqual(new Set(['healthy']));
    await shot('building');
  });

  it('is usable from the keyboard: a skip link first, then the views by their links', async () => {
    await page.goto(url);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toMatch(/skip/i);
    // Tab to the rollouts link and follow it with Enter.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if ((await page.locator(':focus').getAttribute('href')) === '#/rollouts') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/rollouts$/);
    await page.getByRole('button', { name: 'Start rollout' }).waitFor();
  });

  it('refuses operator actions without the operator credential', async () => {
    await page.goto(`${url}#/rollouts`);
    await expect(page.getByRole('button', { name: 'Start rollout' }).isDisabled()).resolves.toBe(true);
    // The server refuses too, whatever the page does.
    const refused = await page.evaluate(async () => {
      const response = await fetch('/api/rollouts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    });
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'dashboard.not-operator' } } });
    // A wrong credential is refused with a message; the right one signs in.
    await page.getByRole('button', { name: 'Sign in' }).first().click();
    await page.getByLabel('Operator credential').fill('0'.repeat(64));
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByText('not the operator credential').waitFor();
    await page.getByLabel('Operator credential').fill((await readFile(join(root, '.osmose', 'keys', 'operator.secret'), 'utf8')).trim());
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await page.getByText('Signed in as operator').waitFor();
    await expect(page.getByRole('button', { name: 'Start rollout' }).isEnabled()).resolves.toBe(true);
  });

  it('starts a rollout from the page and watches it reach 100%', async () => {
    const before = new Map((await status()).boards.map((board) => [board.board, board.version]));
    await writeFile(lightsApp(), (await readFile(lightsApp(), 'utf8')).replace('let lit = false;', 'let lit = false;\nlet presses: i32 = 0;').replace('if (status == Status.Ok) lit = !lit;', 'if (status == Status.Ok) { lit = !lit; presses++; }'));
    const commit = await build();
    await startRolloutFromPage('1,50%,100%', '0');
    await page.getByTestId('rollout-status').filter({ hasText: /running|completed/ }).waitFor();
    await shot('rollout-running');
    await page.getByTestId('rollout-percent').filter({ hasText: '100%' }).waitFor({ timeout: 90_000 });
    await page.getByTestId('rollout-status').filter({ hasText: /^completed$/ }).waitFor();
    await shot('rollout-completed');
    const rollout = await page.evaluate(async () => (await (await fetch('/api/rollouts')).json()) as DashboardRollouts);
    expect(rollout.current?.build).toBe(commit);
    expect(await page.getByTestId('rollout-id').textContent()).toContain(rollout.current?.rollout ?? '?');
    // The building view agrees with osmose status again: the lights boards went up a version.
    const after = await until('every board to confirm its image', async () => {
      const now = await status();
      return now.boards.every((board) => board.confirmed && board.online) ? now : undefined;
    });
    const raised = after.boards.filter((board) => board.version > (before.get(board.board) ?? 0)).map((board) => board.board);
    expect(raised.length).toBeGreaterThan(0);
    expect(raised.length).toBeLessThan(after.boards.length);
    await page.goto(url);
    await until('the tiles to show the new versions', async () => {
      const shown = await tiles();
      return after.boards.every((board) => shown.find((tile) => tile.board === board.board)?.version === String(board.version)) ? true : undefined;
    });
    // The ledger view shows the build with its provenance and the boards it was deployed to.
    await page.goto(`${url}#/ledger`);
    await page.getByText(commit.slice(0, 12)).first().waitFor();
    await page.getByText(rollout.current?.rollout ?? '?').first().waitFor();
  });

  it("shows a reverted board's reason after its self-test fails on the canary", async () => {
    await writeFile(lightsApp(), `${await readFile(lightsApp(), 'utf8')}\nexport function selftest(): Status {\n  return Status.Unavailable;\n}\n`);
    await build();
    await startRolloutFromPage('1,100%', '0');
    await page.getByTestId('rollout-status').filter({ hasText: /^halted$/ }).waitFor({ timeout: 90_000 });
    await shot('rollout-halted');
    const rollout = await page.evaluate(async () => (await (await fetch('/api/rollouts')).json()) as DashboardRollouts);
    const canary = rollout.current?.failures[0]?.board ?? '';
    expect(canary).not.toBe('');
    await page.goto(url);
    await until('the canary to show as reverted on the building view', async () => ((await tiles()).find((tile) => tile.board === canary)?.health === 'reverted' ? true : undefined));
    // Coloured by version, the boards the halted rollout did not reach stand out as behind.
    await page.getByRole('radio', { name: 'version' }).check();
    const canaryTile = page.locator(`[data-board="${canary}"]`);
    expect(await canaryTile.getAttribute('data-standing')).toBe('behind');
    expect(await canaryTile.getAttribute('class')).toContain('tone-warn');
    const standings = await page.locator('[data-standing="latest"]').count();
    expect(standings).toBeGreaterThan(0);
    expect(standings).toBeLessThan((await tiles()).length);
    await shot('building-by-version');
    await page.getByRole('radio', { name: 'health' }).check();
    expect(await canaryTile.getAttribute('class')).toContain('tone-bad');
    await canaryTile.click();
    await page.waitForURL(new RegExp(`#/boards/${canary}$`));
    await page.getByTestId('last-revert').filter({ hasText: /self-test/ }).waitFor();
    await shot('board-reverted');
  });

  it('pauses, resumes and aborts a rollout from its buttons', async () => {
    // The latest build (the failing self-test) is not on the lights boards; a maintenance window
    // three days from today keeps its rollout waiting, whatever the time of day.
    const day = weekdays[(new Date().getUTCDay() + 3) % 7] ?? 'Sun';
    await page.goto(`${url}#/rollouts`);
    await page.getByLabel('Waves').fill('1,100%');
    await page.getByLabel('Max failures').fill('0');
    await page.getByLabel('Maintenance window').fill(`${day} 01:00-02:00`);
    await page.getByRole('button', { name: 'Start rollout' }).click();
    const statusIs = (text: string): Promise<void> => page.getByTestId('rollout-status').filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
    await statusIs('waiting-window');
    await page.getByRole('button', { name: 'Pause' }).click();
    await statusIs('paused');
    await shot('rollout-paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await statusIs('waiting-window');
    await page.getByRole('button', { name: 'Abort' }).click();
    await page.getByLabel('Reason for aborting').fill('tested from the dashboard');
    await page.getByRole('button', { name: 'Abort', exact: true }).click();
    await statusIs('aborted');
    await page.getByText('tested from the dashboard').first().waitFor();
    // The journal on the ledger says the same, once its batch is written (the page hears of the abort first).
    const log = await until('the abort in the journal', () => {
      const text = execFileSync('git', ['log', '--format=%B', rolloutRef], { cwd: root, encoding: 'utf8' });
      return Promise.resolve(text.includes('tested from the dashboard') ? text : undefined);
    });
    expect(log).toMatch(/paused/);
  });

  it("shows the simulated boards' devices: a lamp's level and a display's picture", async () => {
    await page.goto(`${url}#/devices`);
    const display = page.locator('img[alt^="meeting-1-wall.screen"]');
    await display.waitFor();
    await until('the display picture to load', async () => ((await display.evaluate((img) => (img as unknown as { readonly complete: boolean; readonly naturalWidth: number }).complete && (img as unknown as { readonly naturalWidth: number }).naturalWidth)) === 2560 ? true : undefined));
    // A press on the door's button, from another shell, lights the room's lamp on the page as it happens.
    const lamp = page.locator('[data-device="meeting-1-door.lamp"]');
    const before = await lamp.getAttribute('data-level');
    expect(await runCli(['-C', root, 'sim', 'press', 'meeting-1-door.button'], { cwd: root, stdout: () => undefined, stderr: () => undefined, env: {}, interactive: false })).toBe(0);
    const after = before === '1' ? '0' : '1';
    await page.locator(`[data-device="meeting-1-door.lamp"][data-level="${after}"]`).waitFor();
    expect(await lamp.textContent()).toContain(after === '1' ? 'on' : 'off');
    await shot('devices');
  });
});
