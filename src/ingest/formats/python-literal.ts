/**
 * Python literals as `str()` / `repr()` writes them: lighteval v0.2–v0.7 stored every details
 * column as `str(value)` ("[(-3.25, False), (-1.5, True)]", "{'acc': 1.0}"), and lm-eval v0.3
 * write_out files hold reprs too. Read, never evaluated: lists, tuples, dicts, strings, numbers
 * (nan, inf), True / False / None, and numpy 2's scalar reprs (`np.float64(-1.5)`).
 */

export class PythonLiteralError extends Error {}

const WRAPPERS = /^(?:np|numpy)\.(?:float(?:16|32|64|128)?|int(?:8|16|32|64)?|uint(?:8|16|32|64)?|bool_?|str_)$|^tensor$/;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new PythonLiteralError(`${what} at character ${this.i + 1}`);
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) this.fail('unexpected end');
    if (c === '[') return this.seq(']');
    if (c === '(') return this.seq(')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.str();
    if (c === '-' || c === '+' || c === '.' || (c >= '0' && c <= '9')) return this.num();
    return this.word();
  }

  seq(close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) this.fail(`expected , or ${close}`);
    }
  }

  dict(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      this.ws();
      if (this.s[this.i] !== ':') this.fail('expected :');
      this.i++;
      out[String(key)] = this.value();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail('expected , or }');
    }
  }

  str(): string {
    const q = this.s[this.i++];
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === q) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case 'x': out += this.hex(2); break;
        case 'u': out += this.hex(4); break;
        case 'U': out += this.hex(8); break;
        default: out += e; // \\ \' \" and anything Python keeps literally
      }
    }
  }

  hex(digits: number): string {
    const h = this.s.slice(this.i, this.i + digits);
    if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== digits) this.fail('bad escape');
    this.i += digits;
    return String.fromCodePoint(parseInt(h, 16));
  }

  num(): number {
    const m = /^[+-]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i));
    if (!m) this.fail('bad number');
    this.i += m[0].length;
    const t = m[0];
    if (t.endsWith('inf')) return t.startsWith('-') ? -Infinity : Infinity;
    if (t.endsWith('nan')) return NaN;
    return Number(t);
  }

  word(): unknown {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.s.slice(this.i));
    if (!m) this.fail(`unexpected ${JSON.stringify(this.s[this.i])}`);
    this.i += m[0].length;
    switch (m[0]) {
      case 'True': case 'np.True_': return true;
      case 'False': case 'np.False_': return false;
      case 'None': return null;
      case 'nan': return NaN;
      case 'inf': return Infinity;
    }
    if (WRAPPERS.test(m[0]) && this.s[this.i] === '(') {
      this.i++;
      const v = this.value();
      this.ws();
      // tensor(-1.5, dtype=torch.float16): the value is all that matters here
      while (this.i < this.s.length && this.s[this.i] !== ')') this.i++;
      if (this.s[this.i] !== ')') this.fail('expected )');
      this.i++;
      return v;
    }
    return this.fail(`unknown name ${m[0]}`);
  }
}

/** Parses one Python literal; throws PythonLiteralError naming where it stopped. */
export function parsePythonLiteral(text: string): unknown {
  const p = new Parser(text);
  const v = p.value();
  p.ws();
  if (p.i !== text.length) p.fail('unexpected text after the value');
  return v;
}

/** A value that may be a Python repr string: parsed when it looks like a literal container, else as is. */
export function maybePython(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trimStart();
  if (t[0] !== '[' && t[0] !== '(' && t[0] !== '{') return v;
  try {
    return parsePythonLiteral(v.trim());
  } catch {
    return v;
  }
}
