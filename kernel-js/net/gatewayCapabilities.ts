import { answer, type RpcConnection } from './RpcConnection.js';
import { Board, Session, type Board$Client, type Board$Server$Target, type Session$Client, type Session$Server$Target } from './gateway.js';
import { deploymentWriter, eventWriter, healthWriter, heartbeatAckWriter, readDeployment, readEvent, readHealth, readHeartbeatAck } from './gatewayCodec.js';
import type { BoardHandlers, BoardRemote, SessionHandlers } from './gatewayTypes.js';

// Each capability both ways: a server target that runs plain handlers for capnp-es, and a
// plain remote that calls the generated client. Only these and gatewayRpc.ts touch capnp.

/** The Session the gateway exports for one enrolment, run by its handlers. */
export function sessionServer(handlers: SessionHandlers): Session$Client {
  const target: Session$Server$Target = {
    heartbeat: (params, results) =>
      answer(async () => {
        const ack = await handlers.heartbeat(readHealth(params.health));
        heartbeatAckWriter(ack)(results._initAck());
      }),
    report: (params) => answer(() => handlers.report(readEvent(params.event))),
  };
  return new Session.Server(target).client();
}

/** The session as the board holds it. */
export function sessionRemote(link: RpcConnection, session: Session$Client): SessionHandlers {
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
  };
}
