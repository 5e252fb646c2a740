// The dashboard's HTTP interface: what the gateway's dashboard server answers and what the page
// in the browser reads. Types only, so the page's bundle takes them without any server code.
// docs/dashboard.md lists the routes.
//
//     GET    /api/overview                       DashboardOverview
//     GET    /api/boards/BOARD                   DashboardBoardPage
//     GET    /api/rollouts                       DashboardRollouts
//     POST   /api/rollouts                       StartRolloutBody → RolloutSummary          (operator)
//     POST   /api/rollouts/current/pause         → RolloutSummary                           (operator)
//     POST   /api/rollouts/current/resume        → RolloutSummary                           (operator)
//     POST   /api/rollouts/current/abort         { reason? } → RolloutSummary               (operator)
//     GET    /api/ledger                         DashboardLedger
//     GET    /api/devices                        DashboardDevicesView (simulated boards only)
//     GET    /api/devices/BOARD/DEVICE/png       a display's picture (image/png)
//     GET    /api/session                        DashboardSession
//     POST   /api/session                        { credential } → DashboardSession (sets the session cookie)
//     DELETE /api/session                        → DashboardSession (signs out)
//     GET    /api/events                         server-sent events, each `event: NAME` with JSON data:
//            overview   DashboardOverview      a board came, went, sent a heartbeat, or the rollout moved
//            rollouts   DashboardRollouts      the rollout moved
//            devices    DashboardDevicesView   a simulated device changed
//            ledger     { head: string }       a new build is on the ledger
//
// Errors answer with a status and `{ "error": { "code", "message", "hint" } }`; an operator
// action without a signed-in session answers 401 with code `dashboard.not-operator`.

import type { BoardRecord } from '../gateway/BoardRecord.js';
import type { RolloutSummary } from '../rollout/rolloutSummary.js';
import type { BoardRollout, RolloutFailure } from '../rollout/RolloutState.js';

/** What compiled an image (builder/compile/toolchain): the AssemblyScript version, its flags, the ABI, the SDK's digest. */
export interface DashboardToolchain {
  readonly assemblyscript: string;
  readonly flags: readonly string[];
  readonly abi: number;
  readonly sdk: string;
}

/** How a board looks on the dashboard, worst first: the colour of its tile. */
export type BoardHealth = 'reverted' | 'failed' | 'stopped' | 'offline' | 'trial' | 'updating' | 'healthy';

/** A space of the building, with the spaces inside it and the boards directly in it. */
export interface DashboardSpace {
  readonly id: string;
  /** Its name and kind when a board sits directly in it (the plan knows those of innermost spaces only); else its id and ''. */
  readonly name: string;
  readonly kind: string;
  readonly spaces: readonly DashboardSpace[];
  readonly boards: readonly string[];
}

/** A board on the dashboard: what the gateway knows of it (as `osmose status --json`), and where it stands. */
export interface DashboardBoard extends BoardRecord {
  /** The space ids that hold it, outermost first. */
  readonly space: readonly string[];
  readonly health: BoardHealth;
  /** Why it has that colour, in a few words: "running, confirmed", "reverted: self-test failed". */
  readonly healthText: string;
  /** The image and version the latest build gives it; whether it runs them. */
  readonly latest: { readonly image: string; readonly version: number; readonly current: boolean };
}

export interface DashboardOverview {
  readonly building: { readonly id: string; readonly name: string; readonly spaces: readonly DashboardSpace[] };
  /** As `osmose status --json` has it. */
  readonly gateway: { readonly host: string; readonly port: number; readonly build: string; readonly counters: { readonly heartbeats: number; readonly refused: number; readonly bytesServed: number } };
  readonly rollout: RolloutSummary | null;
  readonly boards: readonly DashboardBoard[];
  /** Whether the building's boards are simulated here (GET /api/devices answers). */
  readonly simulated: boolean;
  /** When this was read (ISO). */
  readonly at: string;
}

/** One heartbeat as the dashboard kept it (the last few hundred per board, since the gateway started). */
export interface HealthSample {
  readonly at: string;
  readonly online: boolean;
  readonly running: boolean;
  readonly stops: number;
  readonly agentState: string;
  readonly image: string;
  readonly missed: number;
}

export interface DashboardBoardPage {
  readonly board: DashboardBoard;
  /** What the ledger's latest build says the board runs, and where it came from. */
  readonly ledger: {
    readonly build: string;
    /** The build that first recorded this image, and its time (seconds since the epoch). */
    readonly since: { readonly commit: string; readonly time: number };
    readonly image: string;
    readonly type: string;
    readonly source: { readonly commit: string | null; readonly uncommitted: readonly string[] };
    readonly toolchain: DashboardToolchain;
    readonly signedBy: readonly string[];
    readonly modules: readonly { readonly app: string; readonly wasm: string; readonly bytes: number }[];
  } | null;
  /** Its two slots as the board last said: which is active and whether it is confirmed. */
  readonly slots: { readonly active: string; readonly confirmed: boolean; readonly agentState: string };
  readonly history: readonly HealthSample[];
  /** The last time a rollout took it back to its previous image, or failed it; null when never. */
  readonly lastRevert: { readonly rollout: string; readonly at: string; readonly reason: string; readonly state: 'reverted' | 'failed' } | null;
  /** Its part in the rollout in progress (or the last one); null when it has none. */
  readonly rollout: BoardRollout | null;
  /** Its devices, by name, with their driver. */
  readonly devices: readonly { readonly name: string; readonly driver: string }[];
  /** The fragments it runs (APP@PLACE). */
  readonly fragments: readonly string[];
}

/** One wave of a rollout: its boards and how far they got. */
export interface DashboardWave {
  readonly wave: number;
  readonly boards: readonly BoardRollout[];
  /** Boards of the wave the rollout is finished with (committed, unchanged, failed, reverted). */
  readonly done: number;
  /** 0 to 100. */
  readonly percent: number;
}

export interface DashboardRollouts {
  readonly current: (RolloutSummary & {
    readonly waves: readonly DashboardWave[];
    /** Boards no wave has reached yet. */
    readonly waiting: readonly BoardRollout[];
    readonly failures: readonly RolloutFailure[];
    /** 0 to 100: the boards it is finished with, of all. */
    readonly percent: number;
    readonly spec: { readonly waves: readonly string[]; readonly maxFailures: string; readonly healthTimeoutMs: number; readonly startedAt: string };
  }) | null;
  /** Earlier rollouts from refs/osmose/rollouts, newest first. */
  readonly past: readonly { readonly rollout: string; readonly build: string; readonly status: string; readonly startedAt: string; readonly reason: string | null }[];
}

/** POST /api/rollouts: the same options as `osmose rollout` (its defaults when left out). */
export interface StartRolloutBody {
  /** "1,25%,100%" */
  readonly waves?: string;
  /** "0", "2" or "10%" */
  readonly maxFailures?: string;
  /** "20s", "5m" */
  readonly healthTimeout?: string;
  /** Maintenance windows in the building's time zone, such as "Mon-Fri 22:00-06:00"; any time when empty. */
  readonly window?: readonly string[];
}

/** A ledger build with its provenance: source commit → build → signature → boards. */
export interface DashboardBuild {
  readonly commit: string;
  /** Seconds since the epoch. */
  readonly time: number;
  readonly message: string;
  readonly source: { readonly commit: string | null; readonly uncommitted: readonly string[] } | null;
  readonly toolchain: DashboardToolchain | null;
  readonly boards: number;
  readonly changed: readonly string[];
  /** The key ids that signed its targets metadata, and the metadata's version. */
  readonly signature: { readonly keyids: readonly string[]; readonly version: number } | null;
  /** The rollouts of this build and what each did. */
  readonly deployments: readonly { readonly rollout: string; readonly status: string; readonly startedAt: string; readonly committed: readonly string[]; readonly reverted: readonly string[]; readonly failed: readonly string[] }[];
  /** Boards the gateway sees running one of this build's images now. */
  readonly running: readonly string[];
}

export interface DashboardLedger {
  readonly builds: readonly DashboardBuild[];
}

export type DashboardDeviceState =
  | { readonly name: string; readonly driver: 'gpio-in' | 'gpio-out'; readonly level: number }
  | { readonly name: string; readonly driver: 'display'; readonly width: number; readonly height: number; readonly refreshes: number }
  | { readonly name: string; readonly driver: string };

export interface DashboardDevicesView {
  readonly boards: readonly { readonly board: string; readonly running: boolean; readonly devices: readonly DashboardDeviceState[] }[];
}

export interface DashboardSession {
  /** Whether this browser is signed in as the building's operator. */
  readonly operator: boolean;
}

export interface DashboardError {
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string };
}
