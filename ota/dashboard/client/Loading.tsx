import type { OsmoseError } from '../../../lib/OsmoseError.js';
import { ErrorAlert } from './ErrorAlert.js';

/** What a view shows before its data came: the error when reading it failed, else a quiet line. */
export function Loading({ error }: { readonly error: OsmoseError | undefined }) {
  if (error !== undefined) return <ErrorAlert error={error} />;
  return <p class="muted">Loading…</p>;
}
