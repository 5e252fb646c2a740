// The control plane's messages and the two sides' handlers, as plain TypeScript: the rest of
// osmose never sees a Cap'n Proto struct. Each mirrors a struct of gateway.capnp field for
// field; UInt64 fields are numbers here and must be whole numbers up to 2^53 - 1.

/** What a board says about itself when it enrols. */
export interface Hello {
  readonly board: string;
  /** The board class (`rpi4`, `sim`). */
  readonly type: string;
  readonly image: string;
  readonly version: number;
  readonly slot: string;
  readonly confirmed: boolean;
  readonly agentState: string;
  /** The shim's version, so the gateway knows what the board can be offered. */
  readonly shim: string;
}

/** A board's heartbeat: what it runs and how that is going. */
export interface Health {
  readonly image: string;
  readonly version: number;
  readonly slot: string;
  readonly confirmed: boolean;
  readonly agentState: string;
  readonly running: boolean;
  readonly stops: number;
  readonly uptimeMs: number;
  readonly busy: boolean;
  readonly selfTest: string;
  /** Counts up by one a heartbeat, so the gateway sees one that went missing. */
  readonly sequence: number;
}

export interface HeartbeatAck {
  readonly sequence: number;
  /** When the gateway wants the next heartbeat. */
  readonly intervalMs: number;
}

/** Something a board reports as it happens (download started, installed, rolled back…). */
export interface GatewayEvent {
  readonly kind: string;
  readonly rollout: string;
  readonly image: string;
  readonly version: number;
  readonly slot: string;
  readonly detail: string;
  /** When it happened on the board, ISO 8601. */
  readonly at: string;
  readonly bytes: number;
}

export interface FileRef {
  readonly name: string;
  readonly sha256: string;
  readonly length: number;
}

/** A new image the gateway offers a board, and the files it is made of. */
export interface Deployment {
  readonly rollout: string;
  readonly build: string;
  readonly image: string;
  readonly version: number;
  readonly files: readonly FileRef[];
}

export interface OfferAnswer {
  readonly accepted: boolean;
  readonly reason: string;
}

export interface RevertAnswer {
  readonly reverted: boolean;
  readonly reason: string;
}

/** The session a board holds once enrolled; the gateway implements it, the board calls it. */
export interface SessionHandlers {
  heartbeat(health: Health): Promise<HeartbeatAck>;
  report(event: GatewayEvent): Promise<void>;
}

/** What the gateway can ask of a board; the board's agent implements it, the gateway calls it. */
export interface BoardHandlers {
  offer(deployment: Deployment): Promise<OfferAnswer>;
  commit(rollout: string): Promise<void>;
  revert(rollout: string, reason: string): Promise<RevertAnswer>;
}

/**
 * A board as the gateway holds it: the board's capability, passed in enrol. Its calls go to
 * the board over the board's own connection and reject with an RpcError once it drops.
 */
export type BoardRemote = BoardHandlers;

/** The gateway's side: it serves enrol and hands each enrolled board a session. */
export interface GatewayHandlers {
  enrol(hello: Hello, board: BoardRemote): Promise<SessionHandlers>;
}
