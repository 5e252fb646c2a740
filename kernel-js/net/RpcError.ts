import { OsmoseError } from '../../lib/OsmoseError.js';

/**
 * A failure of the control-plane link itself rather than of what the other side was asked
 * to do: the connection closed before a call was answered (`rpc.closed`), the peer sent a
 * frame too large or with too many segments to be a control message (`rpc.frame-too-large`,
 * `rpc.too-many-segments`), or bytes that are not Cap'n Proto RPC (`rpc.protocol`). The
 * agent and the gateway react to all of them the same way: drop the link and reconnect.
 */
export class RpcError extends OsmoseError {}
