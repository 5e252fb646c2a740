/**
 * The bandwidth a stream circuit reserves on its link, in bytes a second, from the device it
 * reaches: what its stream link's token bucket lets through (kernel-js/stream). Control
 * circuits carry a few bytes per action and reserve nothing (null).
 *
 * - audio: the PCM itself, 16-bit samples at the device's rate and channels (defaults 16 kHz, 1);
 * - a display: one full frame of 24-bit pixels a second on e-ink, which cannot refresh faster,
 *   ten on an LCD (a wall panel showing state, not video);
 * - an enclave: what the recorder seals into it, a 48 kHz stereo stream's worth.
 */
export function circuitBandwidth(driver: string, settings: Readonly<Record<string, unknown>>): number | null {
  const number = (key: string, fallback: number): number => {
    const value = settings[key];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  switch (driver) {
    case 'audio-in':
    case 'audio-out':
      return number('rate', 16_000) * number('channels', 1) * 2;
    case 'display':
      return number('width', 1) * number('height', 1) * 3 * (settings['technology'] === 'e-ink' ? 1 : 10);
    case 'enclave':
      return 48_000 * 2 * 2;
    default:
      return null;
  }
}
