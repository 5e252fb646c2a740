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
}

interface Board {
  # The board's side, passed in enrol; the gateway calls it.
  offer @0 (deployment :Deployment) -> (accepted :Bool, reason :Text);
  commit @1 (rollout :Text) -> ();
  revert @2 (rollout :Text, reason :Text) -> (reverted :Bool, reason :Text);
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
