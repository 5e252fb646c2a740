// Text crosses the bridge as UTF-8. The board's engine (QuickJS) has neither TextDecoder nor
// TextEncoder, so the SDK carries its own: what the host writes back (config values, space
// ids, channel messages) is decoded here, and apps that build byte messages can encode here.

const replacement = 0xfffd;
/** Code units gathered before they are turned into a string: well under any engine's argument limit. */
const chunk = 4096;

/**
 * The text of UTF-8 bytes, as TextDecoder decodes it (WHATWG): each malformed sequence, an
 * overlong form, a surrogate or anything past U+10FFFF becomes one U+FFFD, and decoding goes
 * on with the byte that broke the sequence.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  let text = '';
  const units: number[] = [];
  const put = (codePoint: number): void => {
    if (codePoint > 0xffff) {
      const offset = codePoint - 0x10000;
      units.push(0xd800 + (offset >> 10), 0xdc00 + (offset & 0x3ff));
    } else {
      units.push(codePoint);
    }
    if (units.length >= chunk) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
  };
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      put(lead);
      i++;
      continue;
    }
    // How many continuation bytes follow, the lead's bits, and the range the first continuation
    // byte must fall in (narrower after E0, ED, F0 and F4: no overlong forms, no surrogates, nothing past U+10FFFF).
    let need: number;
    let codePoint: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      need = 1;
      codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      codePoint = lead & 0x0f;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      codePoint = lead & 0x07;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    } else {
      put(replacement);
      i++;
      continue;
    }
    let taken = 1;
    for (; taken <= need; taken++) {
      const next = bytes[i + taken];
      if (next === undefined || next < lower || next > upper) break;
      codePoint = (codePoint << 6) | (next & 0x3f);
      lower = 0x80;
      upper = 0xbf;
    }
    if (taken <= need) {
      // The lead and the continuations that fitted are one malformed sequence; the byte that broke it starts the next.
      put(replacement);
      i += taken;
      continue;
    }
    put(codePoint);
    i += need + 1;
  }
  return units.length === 0 ? text : text + String.fromCharCode(...units);
}

/** The UTF-8 bytes of a string, as TextEncoder encodes it: a lone surrogate becomes U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let codePoint = text.charCodeAt(i);
    if (codePoint >= 0xd800 && codePoint <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        codePoint = replacement;
      }
    } else if (codePoint >= 0xdc00 && codePoint <= 0xdfff) {
      codePoint = replacement;
    }
    if (codePoint < 0x80) bytes.push(codePoint);
    else if (codePoint < 0x800) bytes.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f));
    else if (codePoint < 0x10000) bytes.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
    else bytes.push(0xf0 | (codePoint >> 18), 0x80 | ((codePoint >> 12) & 0x3f), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
  }
  return Uint8Array.from(bytes);
}
