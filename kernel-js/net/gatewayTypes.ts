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

/**
 * The session a board holds once enrolled; the gateway implements it, the board calls it.
 * A gateway that leaves out the system calls (presence, log, network) answers them with
 * `rpc.unimplemented`: a test gateway or a benchmark need not serve them.
 */
export interface SessionHandlers extends Partial<SystemCallHandlers>, Partial<EntranceHandlers> {
  heartbeat(health: Health): Promise<HeartbeatAck>;
  report(event: GatewayEvent): Promise<void>;
}

/** The session as the board holds it: every system call can be asked for (the gateway decides). */
export type SessionRemote = SessionHandlers & SystemCallHandlers & EntranceHandlers;

/**
 * What a person shows at the entrance: a badge id or a password, exactly one. It is a secret:
 * whoever handles it passes it on and never logs or echoes it.
 */
export type Credential = { readonly badge: string; readonly password?: never } | { readonly password: string; readonly badge?: never };

/** A person at the entrance board, as the board hands them to the gateway's front desk. */
export interface AdmitRequest {
  readonly credential: Credential;
  /** The id of the space they are headed for (that room is prepared before they get there); none when absent. */
  readonly destination?: string;
  readonly preferences?: PersonPreferences;
}

/** What the front desk answers an admit: who the person is to the building, and where their visit starts. */
export interface Admission {
  /** The same credential always gets the same pseudonym. */
  readonly pseudonym: string;
  /** The register knew the credential already. */
  readonly returning: boolean;
  /** The visit's handle: what boards see in presence instead of the pseudonym. */
  readonly handle: number;
  /** Where the visit starts: the entrance board's own space. */
  readonly space: string;
  /** Where they are expected; null for nowhere in particular. */
  readonly destination: string | null;
  /** What the register keeps for the pseudonym (new preferences replace older ones). */
  readonly preferences: PersonPreferences;
}

/**
 * The entrance's call (docs/gateway.md, "System calls"): not a fragment's capability but the
 * board's own, answered only for a board placed in a space of kind entrance; any other is
 * refused with `rpc.capability-denied`. People are admitted at the building's door, by the
 * board a badge is shown to, and by nobody else.
 */
export interface EntranceHandlers {
  admit(request: AdmitRequest): Promise<Admission>;
}

/**
 * How a board's fragment gets its capabilities, each a reference to an object the gateway
 * serves for that session (docs/gateway.md, "System calls"). A capability its policy does not
 * grant, or a fragment that is not the board's, rejects with `rpc.capability-denied`; calls on
 * a reference whose grant a newer build took away reject with `rpc.capability-revoked`.
 */
export interface SystemCallHandlers {
  /** Capability `presence`: who is in the board's own space. */
  presence(fragment: string): Promise<PresenceHandlers>;
  /** Capability `log`, every fragment's: its warnings and errors in the gateway's log. */
  log(fragment: string): Promise<LogSinkHandlers>;
  /** Capability `network.external`: requests that leave the building, made by the gateway. */
  network(fragment: string): Promise<NetworkHandlers>;
}

/** Someone in a space: a pseudonym for one visit, never a name. */
export interface PresentPerson {
  /** A positive 32-bit integer: the presence ABI hands it to the unikernel as an i32. */
  readonly handle: number;
  /** The id of the space the person is expected in; empty when unknown. */
  readonly destination: string;
  /** The person's public key for this visit (what an enclave's group key is bound to); empty for none. */
  readonly publicKey: Uint8Array;
  /** What the person asked of the rooms they use; none when absent. */
  readonly preferences?: PersonPreferences;
}

/**
 * What a person asks of the rooms they use, kept with their pseudonym so that it follows them
 * from room to room without anyone learning who they are.
 */
export interface PersonPreferences {
  /**
   * The temperature the person likes, in degrees Celsius (21.5), from 5 to 35. The wire and
   * the presence ABI carry it in tenths of a degree (215), so finer steps are rounded.
   */
  readonly temperature?: number;
}

/**
 * An arrival or a departure; with `coming`, someone now expected in the space (`arrived`) or
 * no longer expected. A departure's destination, key and preferences are empty.
 */
export interface PresenceChange {
  readonly person: PresentPerson;
  readonly arrived: boolean;
  /** The change is to who is expected in the space, not who is in it; false when absent. */
  readonly coming?: boolean;
}

/** Capability `presence`, served by the gateway for one fragment of one board. */
export interface PresenceHandlers {
  /** Everyone in the board's space now, oldest arrival first. */
  people(): Promise<readonly PresentPerson[]>;
  /**
   * Has the gateway call `listener`: an arrival for everyone present now, then every change
   * as it happens, in order, until the listener answers false, the grant is taken away
   * (`ended`) or the session ends. With `expected`, the people expected in the space too
   * (changes with `coming`); a listener that does not know them must not ask.
   */
  watch(listener: PresenceListenerHandlers, options?: PresenceWatchOptions): Promise<void>;
}

export interface PresenceWatchOptions {
  /** Also tell who is expected in the space (everyone expected now, then each change); false when absent. */
  readonly expected?: boolean;
}

/** The board's side of a presence watch: a capability passed the other way, which the gateway calls. */
export interface PresenceListenerHandlers {
  /** One arrival or departure; answers whether to go on being told. */
  changed(change: PresenceChange): Promise<boolean>;
  /** The gateway stopped the watch, and says why (the grant was taken away). */
  ended(reason: string): Promise<void>;
}

/** Capability `log`: where a fragment's warnings and errors go beyond its board. */
export interface LogSinkHandlers {
  /** `level` is the ABI's log level (userland/abi: 2 Warn, 3 Error, 4 Fatal). */
  write(level: number, message: string): Promise<void>;
}

export interface FetchAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** Capability `network.external`: the gateway makes the request, so a board never needs a route out. */
export interface NetworkHandlers {
  /** A GET of an http or https URL; a body past the gateway's cap is an error, never cut short. */
  fetch(url: string): Promise<FetchAnswer>;
}

/** What erasing a person removed from one board's enclave storage. */
export interface EraseAnswer {
  /** Recordings (key epochs) only that person was present for, deleted whole. */
  readonly epochsRemoved: number;
  /** Their places in recordings shared with others: their wrapped key, which the others' keys do not need. */
  readonly membershipsRemoved: number;
  /** Derived records of theirs (voice activity) removed from shared recordings. */
  readonly activityRemoved: number;
  readonly bytesRemoved: number;
}

/**
 * What the gateway can ask of a board; the board's agent implements it, the gateway calls it.
 * A board that leaves out `erase` (a test board, a benchmark) answers it with `rpc.unimplemented`.
 */
export interface BoardHandlers {
  offer(deployment: Deployment): Promise<OfferAnswer>;
  commit(rollout: string): Promise<void>;
  revert(rollout: string, reason: string): Promise<RevertAnswer>;
  /** Forgets the person whose visit key is `publicKey` (raw X25519, 32 bytes) from the board's recordings. */
  erase?(publicKey: Uint8Array): Promise<EraseAnswer>;
}

/**
 * A board as the gateway holds it: the board's capability, passed in enrol. Its calls go to
 * the board over the board's own connection and reject with an RpcError once it drops.
 */
export type BoardRemote = Required<BoardHandlers>;

/** The gateway's side: it serves enrol and hands each enrolled board a session. */
export interface GatewayHandlers {
  enrol(hello: Hello, board: BoardRemote): Promise<SessionHandlers>;
}
