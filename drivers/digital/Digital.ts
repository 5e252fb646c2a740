/** A logical level: 1 is active (pressed, on), whatever the pull or activeLow. */
export type Level = 0 | 1;

/** Called with the new logical level after an edge has settled (after debounce). */
export type EdgeListener = (level: Level) => void;

/** The one interface of the digital class: gpio-in and gpio-out both implement it. */
export interface Digital {
  /** The logical level now. */
  read(): Level;
  /** Drives an output; an input refuses with `driver.read-only`. */
  write(level: Level): void;
  /**
   * Calls `listener` on every debounced edge the driver was configured for. Returns a function
   * that stops watching. An output refuses with `driver.not-watchable`.
   */
  watch(listener: EdgeListener): () => void;
  /** Releases the line. Every later call is refused with `driver.closed`; closing twice is harmless. */
  close(): void;
}
