import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAPPABLE_FIELDS, loadMappingConfig, parseMapArgs, valueAtPath } from '../../src/ingest/mapping.js';
import { fixture, readItems } from './read.js';

describe('field mapping: arguments and config', () => {
  it('parses --map field=path, later ones winning', () => {
    expect(parseMapArgs(['score=metrics.seq_lp', 'id=meta.uid', 'score=metrics.total'])).toEqual({ score: 'metrics.total', id: 'meta.uid' });
  });

  it.each([
    ['score', /expected field=path/],
    ['=metrics.seq_lp', /expected field=path/],
    ['scroe=metrics.seq_lp', /scroe is not a record field/],
    ['score=metrics..seq_lp', /not a dotted path/],
  ])('rejects --map %s', (arg, message) => {
    expect(() => parseMapArgs([arg])).toThrow(message);
  });

  it('loads a config file', () => {
    expect(loadMappingConfig(fixture('mapped/mapping.json'))).toEqual({
      id: 'meta.uid', group: 'meta.question', completion: 'answer', gold: 'is_gold', score: 'metrics.seq_lp', logprobs: 'token_lps',
    });
  });

  it('names the file and the schema violation in its error', () => {
    const file = fixture('mapped/bad-mapping.json');
    expect(() => loadMappingConfig(file)).toThrow(file);
    expect(() => loadMappingConfig(file)).toThrow(/key "scroe" must be equal to one of the allowed values/);
  });

  it('names a missing or unparsable file', () => {
    expect(() => loadMappingConfig(fixture('mapped/nope.json'))).toThrow(/cannot read mapping config .*nope\.json: ENOENT/);
    expect(() => loadMappingConfig(fixture('mapped/custom.csv'))).toThrow(/custom\.csv is not valid JSON/);
  });

  it('allows exactly the canonical record fields', () => {
    const recordSchema = JSON.parse(readFileSync(fixture('../../../schema/record.schema.json'), 'utf8')) as { properties: object };
    const mappingSchema = JSON.parse(readFileSync(fixture('../../../schema/mapping.schema.json'), 'utf8')) as {
      properties: { map: { propertyNames: { enum: string[] } } };
    };
    expect([...MAPPABLE_FIELDS].sort()).toEqual(Object.keys(recordSchema.properties).sort());
    expect([...mappingSchema.properties.map.propertyNames.enum].sort()).toEqual([...MAPPABLE_FIELDS].sort());
  });

  it('follows dotted paths through objects and arrays, preferring a literal key, never inherited members', () => {
    const row = { meta: { uid: 'u1', tags: ['a', 'b'] }, 'metrics.seq_lp': -2, metrics: { seq_lp: -3 } };
    expect(valueAtPath(row, 'meta.uid')).toBe('u1');
    expect(valueAtPath(row, 'meta.tags.1')).toBe('b');
    expect(valueAtPath(row, 'metrics.seq_lp')).toBe(-2);
    expect(valueAtPath(row, 'meta.missing.deeper')).toBeUndefined();
    expect(valueAtPath(row, 'meta.constructor')).toBeUndefined();
  });
});

describe('the mapped adapter', () => {
  it('reads custom JSONL through the map and validates the result like canonical records', async () => {
    const fieldMap = loadMappingConfig(fixture('mapped/mapping.json'));
    const { format, items } = await readItems(fixture('mapped/custom.jsonl'), { inputFormat: 'mapped', fieldMap });
    expect(format).toBe('mapped');
    expect(items[0]).toEqual({
      kind: 'record',
      file: fixture('mapped/custom.jsonl'),
      line: 1,
      // the team's own `metrics` object (a mapped path's root) is not read as canonical metrics
      record: { id: 'ex-1', group: 'capital-fr', completion: ' Paris', gold: true, score: -3.25, logprobs: [-1.25, -2] },
    });
    expect(items.slice(2).map((i) => (i.kind === 'invalid' ? [i.line, i.message] : i))).toEqual([
      [3, 'duplicate id "ex-2" in this file'],
      [4, 'record is missing "id", which is required'],
    ]);
  });

  it('types CSV cells by the field they fill', async () => {
    const fieldMap = loadMappingConfig(fixture('mapped/mapping-csv.json'));
    const { items } = await readItems(fixture('mapped/custom.csv'), { inputFormat: 'mapped', fieldMap });
    expect(items[0]).toMatchObject({ kind: 'record', line: 2, record: { id: 'ex-1', score: -3.25, logprobs: [-1.25, -2], gold: true } });
    expect(items[1]).toMatchObject({ kind: 'record', line: 3, record: { id: 'ex-2', gold: false } });
    expect(Number.isNaN((items[1] as { record: { score: number } }).record.score)).toBe(true);
    expect(items[2]).toMatchObject({ kind: 'invalid', line: 4, recordId: 'ex-3', message: expect.stringMatching(/column logprobs: not valid JSON/) });
  });

  it('reports every row when no map was given', async () => {
    const { items } = await readItems(fixture('mapped/custom.jsonl'), { inputFormat: 'mapped' });
    expect(items).toHaveLength(4);
    expect(items.every((i) => i.kind === 'invalid' && /needs a field map/.test(i.message))).toBe(true);
  });
});
