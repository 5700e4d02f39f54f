/**
 * JSON text as eval tools really write it. Python's json module emits NaN, Infinity and
 * -Infinity, which JSON.parse rejects; we read them (and flag them later) instead of failing.
 *
 * The fast path is plain JSON.parse. Text it rejects that may hold those words is read again
 * by a small parser of Python's dialect: the three words are numbers where a value may stand
 * and nowhere else (`{NaN: 1}` stays an error, as in Python), strings are never rewritten (no
 * marker a string could imitate), and the parser keeps its own stack, so no nesting depth can
 * overflow the call stack. Keys are own properties, as JSON.parse makes them (`__proto__`
 * included).
 */

/** Parses JSON that may contain Python's NaN / Infinity / -Infinity. Throws SyntaxError like JSON.parse. */
export function parseJsonText(text: string): unknown {
  return parseJsonTextEx(text).value;
}

/** As parseJsonText, also telling whether non-finite numbers were read (the slow path). */
export function parseJsonTextEx(text: string): { value: unknown; nonFinite: boolean } {
  try {
    return { value: JSON.parse(text), nonFinite: false };
  } catch (err) {
    if (!text.includes('NaN') && !text.includes('Infinity')) throw err;
    return { value: parsePythonJson(text), nonFinite: true };
  }
}

/** A short, single-line version of a parser message, for findings. */
export function parseErrorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, ' ').slice(0, 300);
}

/** Sets a member as JSON.parse does: an own data property, even for `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

type Container = unknown[] | Record<string, unknown>;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** JSON with Python's three extra number words; iterative, so depth is bounded only by memory. */
function parsePythonJson(text: string): unknown {
  const n = text.length;
  let i = 0;
  const stack: Container[] = [];
  const keys: string[] = []; // the pending key of each object on the stack

  const fail = (at: number, what?: string): never => {
    const found = at >= n ? 'end of JSON input' : `token ${JSON.stringify(text[at])}`;
    throw new SyntaxError(`${what ?? `Unexpected ${found}`} at position ${at}`);
  };
  const skipWs = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
    }
  };
  const readString = (): string => {
    // i is at the opening quote.
    const start = i;
    let escaped = false;
    for (let j = i + 1; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 34) {
        i = j + 1;
        if (!escaped) return text.slice(start + 1, j);
        try {
          return JSON.parse(text.slice(start, j + 1)) as string;
        } catch {
          return fail(start, 'Bad escape in string');
        }
      }
      if (c === 92) {
        escaped = true;
        j++;
      } else if (c < 32) fail(j, 'Bad control character in string literal');
    }
    return fail(n, 'Unterminated string in JSON');
  };
  const readKey = (): string => {
    skipWs();
    if (text.charCodeAt(i) !== 34) fail(i);
    const key = readString();
    skipWs();
    if (text.charCodeAt(i) !== 58 /* : */) fail(i);
    i++;
    return key;
  };

  skipWs();
  for (;;) {
    // A value starts at i (whitespace skipped).
    let value: unknown;
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      i++;
      skipWs();
      const close = c === 123 ? 125 : 93;
      if (text.charCodeAt(i) === close) {
        i++;
        value = c === 123 ? {} : [];
      } else {
        stack.push(c === 123 ? {} : []);
        if (c === 123) keys.push(readKey());
        skipWs();
        continue;
      }
    } else if (c === 34) value = readString();
    else if (text.startsWith('true', i)) (value = true), (i += 4);
    else if (text.startsWith('false', i)) (value = false), (i += 5);
    else if (text.startsWith('null', i)) (value = null), (i += 4);
    else if (text.startsWith('NaN', i)) (value = NaN), (i += 3);
    else if (text.startsWith('Infinity', i)) (value = Infinity), (i += 8);
    else if (text.startsWith('-Infinity', i)) (value = -Infinity), (i += 9);
    else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m === null) fail(i);
      value = Number(m![0]);
      i += m![0].length;
    }
    // Hand the value to its container, closing containers as far as they end here.
    for (;;) {
      skipWs();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < n) fail(i, `Unexpected non-whitespace character after JSON`);
        return value;
      }
      const d = text.charCodeAt(i);
      if (Array.isArray(top)) {
        top.push(value);
        if (d === 44 /* , */) {
          i++;
          break;
        }
        if (d !== 93 /* ] */) fail(i);
      } else {
        setOwn(top, keys[keys.length - 1], value);
        if (d === 44) {
          i++;
          keys[keys.length - 1] = readKey();
          break;
        }
        if (d !== 125 /* } */) fail(i);
        keys.pop();
      }
      i++;
      value = stack.pop();
    }
    skipWs();
  }
}
