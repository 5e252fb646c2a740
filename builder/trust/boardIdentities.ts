// What the gateway needs to admit a board, in one import: the recorded identities and the check.
export { checkBoardPeer, type BoardPeerCheck, type BoardPeerRefusal, type CheckBoardPeerOptions, type PeerCertificate } from './checkBoardPeer.js';
export { readBoardIdentities, type BoardIdentities, type BoardRevocation, type RecordedBoardIdentity } from './readBoardIdentities.js';
