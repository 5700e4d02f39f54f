/**
 * A file's pass (FilePass) as JSON and back, losslessly: what a shard writes to its partial
 * report and merge reads, so that finishRun sees the very values one machine would have had.
 *
 * JSON has no Map, Set, undefined, NaN, ±Infinity or -0; finite numbers other than -0 round-trip
 * exactly (JSON.stringify writes the shortest text that parses back to the same double). The
 * rest is tagged with a `$` member: `{"$": "NaN"}` (also "Infinity", "-Infinity", "-0",
 * "undefined"), `{"$": "map", "entries": [[k, v], ...]}` (insertion order kept),
 * `{"$": "set", "values": [...]}`, and a plain object that has a `$` member of its own is
 * wrapped as `{"$": "object", "value": {...}}`. Anything else (a class instance, a function, a
 * bigint, a typed array) is no part of a pass and is refused rather than silently changed.
 */
import type { FilePass } from './file-pass.js';

/** JSON.stringify of a pass: the text a partial report holds for it. */
export type EncodedPass = unknown;

const SPECIAL = ['NaN', 'Infinity', '-Infinity', '-0', 'undefined'] as const;

export function encodePass(pass: FilePass): EncodedPass {
  return encodeValue(pass, 'pass');
}

/** The pass encodePass encoded. Throws PartialFormatError when the value is no encoding. */
export function decodePass(value: EncodedPass): FilePass {
  return decodeValue(value, 'pass') as FilePass;
}

/** An encoded value that decodePass cannot read: a damaged or foreign partial report. */
export class PartialFormatError extends Error {}

export function encodeValue(value: unknown, where: string): unknown {
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) return { $: 'NaN' };
      if (value === Infinity) return { $: 'Infinity' };
      if (value === -Infinity) return { $: '-Infinity' };
      if (Object.is(value, -0)) return { $: '-0' };
      return value;
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { $: 'undefined' };
  }
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v, i) => encodeValue(v, `${where}[${i}]`));
  if (value instanceof Map) return { $: 'map', entries: [...value].map(([k, v], i) => [encodeValue(k, `${where} key ${i}`), encodeValue(v, `${where}.get(${String(k)})`)]) };
  if (value instanceof Set) return { $: 'set', values: [...value].map((v, i) => encodeValue(v, `${where} member ${i}`)) };
  if (isPlainObject(value as object)) {
    // fromEntries defines members, so a `__proto__` key stays a key.
    const out = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, encodeValue(v, `${where}.${k}`)]));
    return Object.hasOwn(value as object, '$') ? { $: 'object', value: out } : out;
  }
  throw new TypeError(`cannot encode ${where}: a ${typeof value === 'object' ? (Object.getPrototypeOf(value)?.constructor?.name ?? 'null-prototype object') : typeof value} is no part of a file pass`);
}

export function decodeValue(value: unknown, where: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${where}[${i}]`));
  const o = value as Record<string, unknown>;
  if (!Object.hasOwn(o, '$')) return decodeMembers(o, where);
  const tag = o.$;
  if (tag === 'NaN') return NaN;
  if (tag === 'Infinity') return Infinity;
  if (tag === '-Infinity') return -Infinity;
  if (tag === '-0') return -0;
  if (tag === 'undefined') return undefined;
  if (tag === 'map' && Array.isArray(o.entries)) {
    return new Map(
      o.entries.map((e: unknown, i) => {
        if (!Array.isArray(e) || e.length !== 2) throw new PartialFormatError(`${where}: map entry ${i} is no [key, value] pair`);
        return [decodeValue(e[0], `${where} key ${i}`), decodeValue(e[1], `${where} entry ${i}`)];
      }),
    );
  }
  if (tag === 'set' && Array.isArray(o.values)) return new Set(o.values.map((v: unknown, i) => decodeValue(v, `${where} member ${i}`)));
  if (tag === 'object' && o.value !== null && typeof o.value === 'object' && !Array.isArray(o.value)) return decodeMembers(o.value as Record<string, unknown>, where);
  throw new PartialFormatError(`${where}: unknown tag ${JSON.stringify(tag)} (expected one of ${[...SPECIAL, 'map', 'set', 'object'].join(', ')})`);
}

function decodeMembers(o: Record<string, unknown>, where: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeValue(v, `${where}.${k}`)]));
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
