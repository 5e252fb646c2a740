import { useState } from 'preact/hooks';
import type { Session } from './useSession.js';

/**
 * The operator's sign-in. The form stays folded behind one button so the top bar stays quiet;
 * the reveal button gives way to the form, so that only one "Sign in" button shows at a time.
 */
export function SignIn({ session }: { readonly session: Session }) {
  const [open, setOpen] = useState(false);
  const [credential, setCredential] = useState('');
  const [busy, setBusy] = useState(false);

  if (session.operator === true) {
    return (
      <div class="session">
        <span class="session-who">Signed in as operator</span>
        <button type="button" class="button-quiet" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </div>
    );
  }
  if (!open) {
    return (
      <div class="session">
        <button type="button" onClick={() => setOpen(true)} disabled={session.operator === undefined && session.error === undefined}>
          Sign in
        </button>
        {session.error !== undefined && <span role="alert" class="session-error">{session.error.message}</span>}
      </div>
    );
  }
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const ok = await session.signIn(credential);
    setBusy(false);
    if (ok) {
      setCredential('');
      setOpen(false);
    }
  };
  return (
    <form class="session session-form" onSubmit={(event) => void submit(event)}>
      <label for="operator-credential">Operator credential</label>
      <input id="operator-credential" type="password" autoComplete="current-password" value={credential} onInput={(event) => setCredential(event.currentTarget.value)} required autoFocus />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <button type="button" class="button-quiet" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {session.error !== undefined && (
        <span role="alert" class="session-error">
          {session.error.message}
          {session.error.hint !== undefined && <span class="alert-hint">{session.error.hint}</span>}
        </span>
      )}
    </form>
  );
}
