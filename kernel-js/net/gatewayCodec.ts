import { InputError } from '../../lib/OsmoseError.js';
import type * as wire from './gateway.js';
import type { Admission, AdmitRequest, Credential, Deployment, EraseAnswer, GatewayEvent, Health, HeartbeatAck, Hello, PersonPreferences, PresenceChange, PresentPerson } from './gatewayTypes.js';

// Between the plain TypeScript mirrors (gatewayTypes.ts) and the generated Cap'n Proto
// structs (gateway.ts). A writer checks the numbers when it is made and fills the struct
// later: a DataView would silently wrap a negative or oversized UInt32, and BigInt() throws a
// RangeError that names no field; and capnp-es fills a call's parameters after it has
// registered the question, so a throw there would leave a question that is never answered.

function uint32(value: number, field: string): number {
  if (Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff) return value;
  throw new InputError('rpc.bad-field', `${field} must be a whole number from 0 to 4294967295; got ${value}`, { data: { field, value } });
}

function uint64(value: number, field: string): bigint {
  if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new InputError('rpc.bad-field', `${field} must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}; got ${value}`, { data: { field, value } });
}

function uint16(value: number, field: string): number {
  if (Number.isInteger(value) && value >= 0 && value <= 0xffff) return value;
  throw new InputError('rpc.bad-field', `${field} must be a whole number from 0 to 65535; got ${value}`, { data: { field, value } });
}

/** A person handle: positive, and small enough for the i32 the presence ABI passes it as. */
function handle(value: number, field: string): number {
  if (Number.isInteger(value) && value >= 1 && value <= 0x7fff_ffff) return value;
  throw new InputError('rpc.bad-field', `${field} must be a whole number from 1 to 2147483647; got ${value}`, { data: { field, value } });
}

export function helloWriter(hello: Hello): (to: wire.Hello) => void {
  const version = uint32(hello.version, 'Hello.version');
  return (to) => {
    to.board = hello.board;
    to.type = hello.type;
    to.image = hello.image;
    to.version = version;
    to.slot = hello.slot;
    to.confirmed = hello.confirmed;
    to.agentState = hello.agentState;
    to.shim = hello.shim;
  };
}

export function healthWriter(health: Health): (to: wire.Health) => void {
  const version = uint32(health.version, 'Health.version');
  const stops = uint32(health.stops, 'Health.stops');
  const uptimeMs = uint64(health.uptimeMs, 'Health.uptimeMs');
  const sequence = uint64(health.sequence, 'Health.sequence');
  return (to) => {
    to.image = health.image;
    to.version = version;
    to.slot = health.slot;
    to.confirmed = health.confirmed;
    to.agentState = health.agentState;
    to.running = health.running;
    to.stops = stops;
    to.uptimeMs = uptimeMs;
    to.busy = health.busy;
    to.selfTest = health.selfTest;
    to.sequence = sequence;
  };
}

export function heartbeatAckWriter(ack: HeartbeatAck): (to: wire.HeartbeatAck) => void {
  const sequence = uint64(ack.sequence, 'HeartbeatAck.sequence');
  const intervalMs = uint32(ack.intervalMs, 'HeartbeatAck.intervalMs');
  return (to) => {
    to.sequence = sequence;
    to.intervalMs = intervalMs;
  };
}

export function eventWriter(event: GatewayEvent): (to: wire.Event) => void {
  const version = uint32(event.version, 'Event.version');
  const bytes = uint64(event.bytes, 'Event.bytes');
  return (to) => {
    to.kind = event.kind;
    to.rollout = event.rollout;
    to.image = event.image;
    to.version = version;
    to.slot = event.slot;
    to.detail = event.detail;
    to.at = event.at;
    to.bytes = bytes;
  };
}

export function deploymentWriter(deployment: Deployment): (to: wire.Deployment) => void {
  const version = uint32(deployment.version, 'Deployment.version');
  const lengths = deployment.files.map((file, i) => uint64(file.length, `Deployment.files[${i}].length`));
  return (to) => {
    to.rollout = deployment.rollout;
    to.build = deployment.build;
    to.image = deployment.image;
    to.version = version;
    const files = to._initFiles(deployment.files.length);
    deployment.files.forEach((file, i) => {
      const entry = files.get(i);
      entry.name = file.name;
      entry.sha256 = file.sha256;
      entry.length = lengths[i] ?? 0n;
    });
  };
}

export function readHello(from: wire.Hello): Hello {
  return {
    board: from.board,
    type: from.type,
    image: from.image,
    version: from.version,
    slot: from.slot,
    confirmed: from.confirmed,
    agentState: from.agentState,
    shim: from.shim,
  };
}

export function readHealth(from: wire.Health): Health {
  return {
    image: from.image,
    version: from.version,
    slot: from.slot,
    confirmed: from.confirmed,
    agentState: from.agentState,
    running: from.running,
    stops: from.stops,
    uptimeMs: Number(from.uptimeMs),
    busy: from.busy,
    selfTest: from.selfTest,
    sequence: Number(from.sequence),
  };
}

export function readHeartbeatAck(from: wire.HeartbeatAck): HeartbeatAck {
  return { sequence: Number(from.sequence), intervalMs: from.intervalMs };
}

export function readEvent(from: wire.Event): GatewayEvent {
  return {
    kind: from.kind,
    rollout: from.rollout,
    image: from.image,
    version: from.version,
    slot: from.slot,
    detail: from.detail,
    at: from.at,
    bytes: Number(from.bytes),
  };
}

export function readDeployment(from: wire.Deployment): Deployment {
  return {
    rollout: from.rollout,
    build: from.build,
    image: from.image,
    version: from.version,
    files: from.files.map((file) => ({ name: file.name, sha256: file.sha256, length: Number(file.length) })),
  };
}

/** Writes every person of `people` into a List(Person) made by `init`. */
export function peopleWriter(people: readonly PresentPerson[], field: string): (init: (length: number) => { get(index: number): wire.Person }) => void {
  const writers = people.map((person, i) => personWriter(person, `${field}[${i}]`));
  return (init) => {
    const list = init(writers.length);
    writers.forEach((write, i) => write(list.get(i)));
  };
}

export function personWriter(person: PresentPerson, field: string): (to: wire.Person) => void {
  const checked = handle(person.handle, `${field}.handle`);
  const temperature = person.preferences?.temperature === undefined ? 0 : tenths(person.preferences.temperature, `${field}.preferences.temperature`);
  return (to) => {
    to.handle = checked;
    to.destination = person.destination;
    if (person.publicKey.length > 0) to._initPublicKey(person.publicKey.length).copyBuffer(person.publicKey);
    if (temperature !== 0) to._initPreferences().temperature = temperature;
  };
}

/**
 * Degrees Celsius as the wire's tenths: positive, because the presence ABI returns a
 * preference where a negative number is a status (the directory keeps them from 5 to 35 °C).
 */
function tenths(celsius: number, field: string): number {
  const value = Math.round(celsius * 10);
  if (Number.isFinite(celsius) && value >= 1 && value <= 0x7fff_ffff) return value;
  throw new InputError('rpc.bad-field', `${field} must be a temperature above 0 °C, in degrees Celsius; got ${celsius}`, { data: { field, value: celsius } });
}

export function presenceChangeWriter(change: PresenceChange): (to: wire.PresenceChange) => void {
  const write = personWriter(change.person, 'PresenceChange.person');
  return (to) => {
    write(to._initPerson());
    to.arrived = change.arrived;
    to.coming = change.coming ?? false;
  };
}

export function eraseAnswerWriter(answer: EraseAnswer): (to: wire.Board_Erase$Results) => void {
  const epochs = uint32(answer.epochsRemoved, 'Board.erase epochsRemoved');
  const memberships = uint32(answer.membershipsRemoved, 'Board.erase membershipsRemoved');
  const activity = uint32(answer.activityRemoved, 'Board.erase activityRemoved');
  const bytes = uint64(answer.bytesRemoved, 'Board.erase bytesRemoved');
  return (to) => {
    to.epochsRemoved = epochs;
    to.membershipsRemoved = memberships;
    to.activityRemoved = activity;
    to.bytesRemoved = bytes;
  };
}

export function readEraseAnswer(from: wire.Board_Erase$Results): EraseAnswer {
  return { epochsRemoved: from.epochsRemoved, membershipsRemoved: from.membershipsRemoved, activityRemoved: from.activityRemoved, bytesRemoved: Number(from.bytesRemoved) };
}

/** Checks a fetch status (a UInt16 on the wire) before it is written. */
export function fetchStatus(status: number): number {
  return uint16(status, 'Network.fetch status');
}

export function readPerson(from: wire.Person): PresentPerson {
  const person = { handle: from.handle, destination: from.destination, publicKey: new Uint8Array(from.publicKey.toArrayBuffer()) };
  const preferences = readPreferences(from);
  return preferences === undefined ? person : { ...person, preferences };
}

/** A person's preferences, or undefined when they stated none (a person written without any reads as none too). */
function readPreferences(from: wire.Person): PersonPreferences | undefined {
  if (!from._hasPreferences()) return undefined;
  const temperature = from.preferences.temperature;
  return temperature > 0 ? { temperature: temperature / 10 } : undefined;
}

export function readPresenceChange(from: wire.PresenceChange): PresenceChange {
  const change = { person: readPerson(from.person), arrived: from.arrived };
  return from.coming ? { ...change, coming: true } : change;
}

/**
 * Writes an admit's parameters. The credential's kind is checked here, but never its value in
 * a message: it is a secret, and an error may be logged on either side.
 */
export function admitRequestWriter(request: AdmitRequest): (to: wire.Session_Admit$Params) => void {
  const credential = credentialOf(request.credential);
  const temperature = request.preferences?.temperature === undefined ? 0 : tenths(request.preferences.temperature, 'Session.admit preferences.temperature');
  return (to) => {
    const written = to._initCredential();
    if (credential.kind === 'badge') written.badge = credential.value;
    else written.password = credential.value;
    to.destination = request.destination ?? '';
    if (temperature !== 0) to._initPreferences().temperature = temperature;
  };
}

function credentialOf(credential: Credential): { kind: 'badge' | 'password'; value: string } {
  const kinds = (['badge', 'password'] as const).filter((kind) => typeof credential[kind] === 'string');
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined) {
    throw new InputError('rpc.bad-field', 'Session.admit credential must be a badge or a password, exactly one', { data: { field: 'Session.admit credential' } });
  }
  return { kind, value: credential[kind] ?? '' };
}

export function readAdmitRequest(from: wire.Session_Admit$Params): AdmitRequest {
  const credential: Credential = from.credential._isPassword ? { password: from.credential.password } : { badge: from.credential.badge };
  const temperature = from._hasPreferences() ? from.preferences.temperature : 0;
  return {
    credential,
    ...(from.destination === '' ? {} : { destination: from.destination }),
    ...(temperature > 0 ? { preferences: { temperature: temperature / 10 } } : {}),
  };
}

export function admissionWriter(admission: Admission): (to: wire.Admission) => void {
  const checked = handle(admission.handle, 'Admission.handle');
  const temperature = admission.preferences.temperature === undefined ? 0 : tenths(admission.preferences.temperature, 'Admission.preferences.temperature');
  return (to) => {
    to.pseudonym = admission.pseudonym;
    to.returning = admission.returning;
    to.handle = checked;
    to.space = admission.space;
    to.destination = admission.destination ?? '';
    if (temperature !== 0) to._initPreferences().temperature = temperature;
  };
}

export function readAdmission(from: wire.Admission): Admission {
  const temperature = from._hasPreferences() ? from.preferences.temperature : 0;
  return {
    pseudonym: from.pseudonym,
    returning: from.returning,
    handle: from.handle,
    space: from.space,
    destination: from.destination === '' ? null : from.destination,
    preferences: temperature > 0 ? { temperature: temperature / 10 } : {},
  };
}
