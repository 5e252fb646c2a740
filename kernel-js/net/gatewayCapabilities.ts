import { OsmoseError } from '../../lib/OsmoseError.js';
import { answer, type RpcConnection } from './RpcConnection.js';
import {
  Board,
  LogSink,
  Network,
  Presence,
  PresenceListener,
  Session,
  type Board$Client,
  type Board$Server$Target,
  type LogSink$Client,
  type Network$Client,
  type Presence$Client,
  type PresenceListener$Client,
  type Session$Client,
  type Session$Server$Target,
} from './gateway.js';
import {
  admissionWriter,
  admitRequestWriter,
  deploymentWriter,
  eraseAnswerWriter,
  eventWriter,
  fetchStatus,
  healthWriter,
  heartbeatAckWriter,
  peopleWriter,
  presenceChangeWriter,
  readAdmission,
  readAdmitRequest,
  readDeployment,
  readEraseAnswer,
  readEvent,
  readHealth,
  readHeartbeatAck,
  readPerson,
  readPresenceChange,
} from './gatewayCodec.js';
import type { BoardHandlers, BoardRemote, LogSinkHandlers, NetworkHandlers, PresenceHandlers, PresenceListenerHandlers, SessionHandlers, SessionRemote } from './gatewayTypes.js';

// Each capability both ways: a server target that runs plain handlers for capnp-es, and a
// plain remote that calls the generated client. Only these and gatewayRpc.ts touch capnp.

/**
 * The Session the gateway exports for one enrolment, run by its handlers. `link` carries the
 * capabilities the board passes back (a presence listener).
 */
export function sessionServer(link: RpcConnection, handlers: SessionHandlers): Session$Client {
  const unimplemented = (method: string): OsmoseError =>
    new OsmoseError('rpc.unimplemented', `this gateway serves no system calls: Session.${method} is not implemented`, { hint: "run the building's own gateway (osmose gateway)", data: { method: `Session.${method}` } });
  const target: Session$Server$Target = {
    heartbeat: (params, results) =>
      answer(async () => {
        const ack = await handlers.heartbeat(readHealth(params.health));
        heartbeatAckWriter(ack)(results._initAck());
      }),
    report: (params) => answer(() => handlers.report(readEvent(params.event))),
    presence: (params, results) =>
      answer(async () => {
        if (handlers.presence === undefined) throw unimplemented('presence');
        results.presence = presenceServer(link, await handlers.presence(params.fragment));
      }),
    log: (params, results) =>
      answer(async () => {
        if (handlers.log === undefined) throw unimplemented('log');
        results.sink = logSinkServer(await handlers.log(params.fragment));
      }),
    network: (params, results) =>
      answer(async () => {
        if (handlers.network === undefined) throw unimplemented('network');
        results.network = networkServer(await handlers.network(params.fragment));
      }),
    admit: (params, results) =>
      answer(async () => {
        if (handlers.admit === undefined) throw unimplemented('admit');
        admissionWriter(await handlers.admit(readAdmitRequest(params)))(results._initAdmission());
      }),
  };
  return new Session.Server(target).client();
}

/** The session as the board holds it. */
export function sessionRemote(link: RpcConnection, session: Session$Client): SessionRemote {
  return {
    heartbeat: (health) =>
      link.call('Session.heartbeat', async () => {
        const write = healthWriter(health);
        const results = await session.heartbeat((params) => write(params._initHealth())).promise();
        return readHeartbeatAck(results.ack);
      }),
    report: (event) =>
      link.call('Session.report', async () => {
        const write = eventWriter(event);
        await session.report((params) => write(params._initEvent())).promise();
      }),
    presence: (fragment) =>
      link.call('Session.presence', async () => {
        const results = await session.presence((params) => (params.fragment = fragment)).promise();
        return presenceRemote(link, results.presence);
      }),
    log: (fragment) =>
      link.call('Session.log', async () => {
        const results = await session.log((params) => (params.fragment = fragment)).promise();
        return logSinkRemote(link, results.sink);
      }),
    network: (fragment) =>
      link.call('Session.network', async () => {
        const results = await session.network((params) => (params.fragment = fragment)).promise();
        return networkRemote(link, results.network);
      }),
    admit: (request) =>
      link.call('Session.admit', async () => {
        const write = admitRequestWriter(request);
        const results = await session.admit(write).promise();
        return readAdmission(results.admission);
      }),
  };
}

function presenceServer(link: RpcConnection, handlers: PresenceHandlers): Presence$Client {
  return new Presence.Server({
    people: (_params, results) =>
      answer(async () => {
        const write = peopleWriter(await handlers.people(), 'Presence.people');
        write((length) => results._initPeople(length));
      }),
    watch: (params) => answer(() => handlers.watch(presenceListenerRemote(link, params.listener), { expected: params.expected })),
  }).client();
}

function presenceRemote(link: RpcConnection, presence: Presence$Client): PresenceHandlers {
  return {
    people: () =>
      link.call('Presence.people', async () => {
        const results = await presence.people().promise();
        return results.people.map(readPerson);
      }),
    watch: (listener, options) =>
      link.call('Presence.watch', async () => {
        const client = presenceListenerServer(listener);
        await presence
          .watch((params) => {
            params.listener = client;
            params.expected = options?.expected ?? false;
          })
          .promise();
      }),
  };
}

function presenceListenerServer(handlers: PresenceListenerHandlers): PresenceListener$Client {
  return new PresenceListener.Server({
    changed: (params, results) =>
      answer(async () => {
        results.keep = await handlers.changed(readPresenceChange(params.change));
      }),
    ended: (params) => answer(() => handlers.ended(params.reason)),
  }).client();
}

function presenceListenerRemote(link: RpcConnection, listener: PresenceListener$Client): PresenceListenerHandlers {
  return {
    changed: (change) =>
      link.call('PresenceListener.changed', async () => {
        const write = presenceChangeWriter(change);
        const results = await listener.changed((params) => write(params._initChange())).promise();
        return results.keep;
      }),
    ended: (reason) =>
      link.call('PresenceListener.ended', async () => {
        await listener.ended((params) => (params.reason = reason)).promise();
      }),
  };
}

function logSinkServer(handlers: LogSinkHandlers): LogSink$Client {
  return new LogSink.Server({ write: (params) => answer(() => handlers.write(params.level, params.message)) }).client();
}

function logSinkRemote(link: RpcConnection, sink: LogSink$Client): LogSinkHandlers {
  return {
    write: (level, message) =>
      link.call('LogSink.write', async () => {
        if (!Number.isInteger(level) || level < 0 || level > 255) throw new OsmoseError('rpc.bad-field', `LogSink.write level must be a whole number from 0 to 255; got ${level}`, { data: { field: 'level', value: level } });
        await sink
          .write((params) => {
            params.level = level;
            params.message = message;
          })
          .promise();
      }),
  };
}

function networkServer(handlers: NetworkHandlers): Network$Client {
  return new Network.Server({
    fetch: (params, results) =>
      answer(async () => {
        const fetched = await handlers.fetch(params.url);
        results.status = fetchStatus(fetched.status);
        results.contentType = fetched.contentType;
        if (fetched.body.length > 0) results._initBody(fetched.body.length).copyBuffer(fetched.body);
      }),
  }).client();
}

function networkRemote(link: RpcConnection, network: Network$Client): NetworkHandlers {
  return {
    fetch: (url) =>
      link.call('Network.fetch', async () => {
        const results = await network.fetch((params) => (params.url = url)).promise();
        return { status: results.status, contentType: results.contentType, body: new Uint8Array(results.body.toArrayBuffer()) };
      }),
  };
}

/** The Board capability a board passes in enrol, run by the agent's handlers. */
export function boardServer(handlers: BoardHandlers): Board$Client {
  const target: Board$Server$Target = {
    offer: (params, results) =>
      answer(async () => {
        const { accepted, reason } = await handlers.offer(readDeployment(params.deployment));
        results.accepted = accepted;
        results.reason = reason;
      }),
    commit: (params) => answer(() => handlers.commit(params.rollout)),
    revert: (params, results) =>
      answer(async () => {
        const { reverted, reason } = await handlers.revert(params.rollout, params.reason);
        results.reverted = reverted;
        results.reason = reason;
      }),
    erase: (params, results) =>
      answer(async () => {
        if (handlers.erase === undefined) {
          throw new OsmoseError('rpc.unimplemented', 'this board keeps no recordings to erase: Board.erase is not implemented', { hint: 'run the board under its update agent (osmose boot with a gateway)', data: { method: 'Board.erase' } });
        }
        eraseAnswerWriter(await handlers.erase(new Uint8Array(params.publicKey.toArrayBuffer())))(results);
      }),
  };
  return new Board.Server(target).client();
}

/** A board as the gateway holds it. */
export function boardRemote(link: RpcConnection, board: Board$Client): BoardRemote {
  return {
    offer: (deployment) =>
      link.call('Board.offer', async () => {
        const write = deploymentWriter(deployment);
        const results = await board.offer((params) => write(params._initDeployment())).promise();
        return { accepted: results.accepted, reason: results.reason };
      }),
    commit: (rollout) =>
      link.call('Board.commit', async () => {
        await board.commit((params) => (params.rollout = rollout)).promise();
      }),
    revert: (rollout, reason) =>
      link.call('Board.revert', async () => {
        const results = await board
          .revert((params) => {
            params.rollout = rollout;
            params.reason = reason;
          })
          .promise();
        return { reverted: results.reverted, reason: results.reason };
      }),
    erase: (publicKey) =>
      link.call('Board.erase', async () => {
        const results = await board
          .erase((params) => {
            if (publicKey.length > 0) params._initPublicKey(publicKey.length).copyBuffer(publicKey);
          })
          .promise();
        return readEraseAnswer(results);
      }),
  };
}
