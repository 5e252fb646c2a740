import type { OsmoseError } from '../../../lib/OsmoseError.js';

/**
 * A refusal or failure from the gateway, announced at once by screen readers (role=alert), with
 * the gateway's hint: its messages say what to do about it.
 */
export function ErrorAlert({ error }: { readonly error: OsmoseError | undefined }) {
  return (
    <div role="alert" class="alert-region">
      {error !== undefined && (
        <div class="alert">
          <p class="alert-message">{error.message}</p>
          {error.hint !== undefined && <p class="alert-hint">{error.hint}</p>}
        </div>
      )}
    </div>
  );
}
