# The control plane between a board's update agent and the building's gateway, spoken as
# Cap'n Proto RPC over a TLS 1.3 socket. The gateway serves Gateway as the bootstrap
# capability; a board enrols, handing over its own Board capability, and gets a Session back.
# Regenerate gateway.ts with `npm run capnp` after changing this file.
@0xa3aa37b7d42ddf53;

interface Gateway {
  # What the gateway serves as the bootstrap capability.
  enrol @0 (hello :Hello, board :Board) -> (session :Session);
}

interface Session {
  # One per connected board, returned by enrol.
  heartbeat @0 (health :Health) -> (ack :HeartbeatAck);
  report @1 (event :Event) -> ();

  # System calls. A fragment (an app instance, `heating@meeting-1-heating`) reaches what lies
  # beyond its circuits only through a capability got here, and only when the gateway's own
  # copy of the latest build grants it: the gateway never takes the board's word for its
  # fragments or their grants. A fragment that is not on this board, or one whose policy does
  # not grant the capability, is refused with `rpc.capability-denied` (naming the board, the
  # fragment and the capability). A reference lives as long as this session, and every call
  # on it checks the grant again: once a newer build takes the grant away, its calls fail
  # with `rpc.capability-revoked`.

  presence @2 (fragment :Text) -> (presence :Presence);
  # Capability "presence": who is in the board's own space (the innermost space that holds
  # it), never anybody else's.

  log @3 (fragment :Text) -> (sink :LogSink);
  # Capability "log", granted to every fragment: its warnings and errors, in the gateway's log.

  network @4 (fragment :Text) -> (network :Network);
  # Capability "network.external": requests that leave the building, made by the gateway.
  # Only where a policy says so; `default: allow` never grants it.

  admit @5 (credential :Credential, destination :Text, preferences :Preferences) -> (admission :Admission);
  # Someone showed a badge (or gave a password) to this board: the building's front desk
  # admits them as an operator's `osmose people admit` would (a pseudonym, a key pair in the
  # building's enclave, a visit starting in the board's space). Only a board placed in a
  # space of kind entrance may ask; any other is refused with `rpc.capability-denied`.
  # destination: the id of the space the person is headed for, empty for none. preferences:
  # the person's stated preferences, temperature 0 for none. The gateway never logs the
  # credential, and keeps only a keyed digest of it.
}

interface Presence {
  # The people in the board's space: pseudonymous handles, stable for one visit.
  people @0 () -> (people :List(Person));
  # Everyone present now, oldest arrival first.

  watch @1 (listener :PresenceListener, expected :Bool) -> ();
  # The gateway calls the listener (a capability the board passes the other way) with an
  # arrival for everyone present now, then with every arrival and departure as it happens,
  # in order, for the rest of the session. It stops when the listener answers keep = false,
  # or after calling `ended` (the grant was taken away).
  # With expected = true it also tells who is expected in the space (changes with coming =
  # true): first everyone expected now, after those present, then each change. A board from
  # before expectations leaves it false, and is never told them: it would take each one for
  # an arrival.
}

interface PresenceListener {
  # The board's side of a watch.
  changed @0 (change :PresenceChange) -> (keep :Bool);
  ended @1 (reason :Text) -> ();
}

interface LogSink {
  write @0 (level :UInt8, message :Text) -> ();
  # Levels are the ABI's log levels (2 Warn, 3 Error, 4 Fatal); long messages are cut.
}

interface Network {
  fetch @0 (url :Text) -> (status :UInt16, contentType :Text, body :Data);
  # A GET of an http or https URL. A body past the gateway's size cap, a timeout or a
  # network failure is an error (`network.too-large`, `network.failed`), not a short body.
}

struct Person {
  handle @0 :Int32;
  # Positive: the presence ABI hands handles to the unikernel as i32.
  destination @1 :Text;
  # The id of the space the person is expected in; empty when unknown.
  publicKey @2 :Data;
  # The person's public key for this visit (what an enclave's group key is bound to); empty for none.
  preferences @3 :Preferences;
  # What the person asked of the rooms they use, kept with their pseudonym.
}

struct Preferences {
  temperature @0 :Int32;
  # Tenths of a degree Celsius (215 is 21.5 °C), as the presence ABI hands it to apps; 0 for none.
}

struct Credential {
  # What a person shows at the entrance: one or the other, never empty.
  union {
    badge @0 :Text;
    password @1 :Text;
  }
}

struct Admission {
  # What the front desk answers an admit: who the person is to the building now.
  pseudonym @0 :Text;
  # The same credential always gets the same pseudonym.
  returning @1 :Bool;
  # True: the register knew the credential already.
  handle @2 :Int32;
  # The visit's handle: what boards see in presence instead of the pseudonym.
  space @3 :Text;
  # Where the visit starts: the entrance board's own space.
  destination @4 :Text;
  # Where the person is expected; empty for none.
  preferences @5 :Preferences;
  # The preferences the register keeps for the pseudonym (new ones replace older).
}

struct PresenceChange {
  person @0 :Person;
  arrived @1 :Bool;
  # False: the person left (destination, publicKey and preferences are then empty).
  coming @2 :Bool;
  # True: the change is to who is expected in the space, not who is in it. arrived = true: the
  # person is now expected (on their way); false: no longer (they arrived, went elsewhere, or
  # left the building).
}

interface Board {
  # The board's side, passed in enrol; the gateway calls it.
  offer @0 (deployment :Deployment) -> (accepted :Bool, reason :Text);
  commit @1 (rollout :Text) -> ();
  revert @2 (rollout :Text, reason :Text) -> (reverted :Bool, reason :Text);
  erase @3 (publicKey :Data) -> (epochsRemoved :UInt32, membershipsRemoved :UInt32, activityRemoved :UInt32, bytesRemoved :UInt64);
  # Forgets a person everywhere on the board's enclave storage, by the public key of their
  # visit: recordings only they were present for are deleted, and their wrapped key and
  # activity are removed from those they shared. Answers what went. A board that keeps no
  # recordings answers zeros.
}

struct Hello {
  board @0 :Text;
  type @1 :Text;
  image @2 :Text;
  version @3 :UInt32;
  slot @4 :Text;
  confirmed @5 :Bool;
  agentState @6 :Text;
  shim @7 :Text;
}

struct Health {
  image @0 :Text;
  version @1 :UInt32;
  slot @2 :Text;
  confirmed @3 :Bool;
  agentState @4 :Text;
  running @5 :Bool;
  stops @6 :UInt32;
  uptimeMs @7 :UInt64;
  busy @8 :Bool;
  selfTest @9 :Text;
  sequence @10 :UInt64;
}

struct HeartbeatAck {
  sequence @0 :UInt64;
  intervalMs @1 :UInt32;
}

struct Event {
  kind @0 :Text;
  rollout @1 :Text;
  image @2 :Text;
  version @3 :UInt32;
  slot @4 :Text;
  detail @5 :Text;
  at @6 :Text;
  bytes @7 :UInt64;
}

struct Deployment {
  rollout @0 :Text;
  build @1 :Text;
  image @2 :Text;
  version @3 :UInt32;
  files @4 :List(FileRef);
}

struct FileRef {
  name @0 :Text;
  sha256 @1 :Text;
  length @2 :UInt64;
}
