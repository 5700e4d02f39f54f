/**
 * JSON text as eval tools really write it. Python's json module emits NaN, Infinity and
 * -Infinity, which JSON.parse rejects; we read them (and flag them later) instead of failing.
 * The fast path is plain JSON.parse; only text that fails it is re-read with the extensions.
 */

const NON_FINITE_PREFIX = '\u0000nonfinite:';

/**
 * Rewrites bare NaN / Infinity / -Infinity tokens (outside strings) into marker strings that
 * the reviver turns back into numbers. Returns null when there was nothing to rewrite.
 */
function rewriteNonFinite(text: string): string | null {
  let out = '';
  let last = 0;
  let inString = false;
  let changed = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    let word: string | null = null;
    if (c === 78 /* N */ && text.startsWith('NaN', i)) word = 'NaN';
    else if (c === 73 /* I */ && text.startsWith('Infinity', i)) word = 'Infinity';
    else if (c === 45 /* - */ && text.startsWith('-Infinity', i)) word = '-Infinity';
    if (word !== null) {
      out += text.slice(last, i) + JSON.stringify(NON_FINITE_PREFIX + word);
      i += word.length - 1;
      last = i + 1;
      changed = true;
    }
  }
  return changed ? out + text.slice(last) : null;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(NON_FINITE_PREFIX)) {
    const word = value.slice(NON_FINITE_PREFIX.length);
    return word === 'NaN' ? NaN : word === 'Infinity' ? Infinity : -Infinity;
  }
  return value;
}

/** Parses JSON that may contain Python's NaN / Infinity / -Infinity. Throws SyntaxError like JSON.parse. */
export function parseJsonText(text: string): unknown {
  return parseJsonTextEx(text).value;
}

/** As parseJsonText, also telling whether non-finite numbers were read (the slow path). */
export function parseJsonTextEx(text: string): { value: unknown; nonFinite: boolean } {
  try {
    return { value: JSON.parse(text), nonFinite: false };
  } catch (err) {
    const rewritten = rewriteNonFinite(text);
    if (rewritten === null) throw err;
    try {
      return { value: JSON.parse(rewritten, reviveNonFinite), nonFinite: true };
    } catch {
      throw err;
    }
  }
}

/** A short, single-line version of a parser message, for findings. */
export function parseErrorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').slice(0, 300);
}
