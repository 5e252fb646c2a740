/** What the building's tiles are coloured by: each board's health, or its version against the latest build. */
export type Colouring = 'health' | 'version';

const stored = 'osmose-dashboard-colour-by';

/** The colouring this browser chose last (health at first). */
export function savedColouring(): Colouring {
  try {
    return window.localStorage.getItem(stored) === 'version' ? 'version' : 'health';
  } catch {
    return 'health';
  }
}

/** A pair of radio buttons, so the choice is made with the arrow keys like any other. */
export function ColourBy({ value, onChange }: { readonly value: Colouring; readonly onChange: (value: Colouring) => void }) {
  const choose = (next: Colouring): void => {
    try {
      window.localStorage.setItem(stored, next);
    } catch {
      // A browser that keeps nothing still switches for this page.
    }
    onChange(next);
  };
  return (
    <fieldset class="colour-by">
      <legend>Colour boards by</legend>
      {(['health', 'version'] as const).map((choice) => (
        <label key={choice}>
          <input type="radio" name="colour-by" value={choice} checked={value === choice} onChange={() => choose(choice)} /> {choice}
        </label>
      ))}
    </fieldset>
  );
}
