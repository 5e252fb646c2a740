import { hkdfSync } from 'node:crypto';
import type { PlannedCircuit } from '../plan/BuildPlan.js';

/**
 * A circuit's pairwise key: HKDF-SHA256 of the building's circuit secret, salted with the
 * building's id and bound to the circuit and both of its boards. Derived, not drawn, so a build
 * is reproducible (a board whose circuits did not change keeps its configuration byte for
 * byte), and a circuit whose end moves to another board gets a key of its own.
 */
export function circuitKey(secret: Uint8Array, buildingId: string, circuit: Pick<PlannedCircuit, 'id' | 'app' | 'device'>): string {
  const info = ['osmose circuit key 1', circuit.id, circuit.app.board, circuit.device.board].join('\0');
  return Buffer.from(hkdfSync('sha256', secret, buildingId, info, 32)).toString('hex');
}
