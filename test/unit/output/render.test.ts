// Exact output of the tsv, json, jsonl and csv renderers for persons.

import { describe, expect, it } from 'vitest';
import { ExactNumber, parseExact } from '../../../src/json/exact.js';
import type { PersonRecord } from '../../../src/output/person-schema.js';
import { ada, render, retrieved, tricky } from './helpers.js';

const UUID1 = '01890f2c-6f1e-7000-8000-000000000001';
const UUID2 = '01890f2c-6f1e-7000-8000-000000000002';
const UUID3 = '01890f2c-6f1e-7000-8000-000000000003';
const ADA_ANON = '01890f2c-aaaa-7000-8000-00000000000a';

describe('tsv', () => {
  it('prints the default fields, no header, distinct_ids as a JSON array, specials escaped', async () => {
    const { text, count } = await render('tsv', [ada, tricky, retrieved]);
    expect(count).toBe(3);
    expect(text).toBe(
      `${UUID1}\tada@example.com\t["ada@example.com","${ADA_ANON}"]\t2024-03-01T10:00:00Z\n` +
        // A distinct_id holding a comma ("a,b") stays one element: commas would be ambiguous.
        `${UUID2}\tO"Brien, Zoë\\t日本\\nline2\\\\end\t["a,b","c"]\t2024-03-02T10:00:00Z\n` +
        `${UUID3}\tgrace\t[]\t2024-03-03T10:00:00Z\n`,
    );
  });

  it('a JSON cell holding a tab or a line break is escaped like any other cell', async () => {
    const odd = { ...retrieved, distinct_ids: ['tab\there', 'new\nline'] };
    const { text } = await render('tsv', [odd], { fields: 'distinct_ids' });
    // JSON already writes tab and LF as \t and \n; tsv then escapes those backslashes.
    expect(text).toBe('["tab\\\\there","new\\\\nline"]\n');
  });

  it('prints selected fields: objects as JSON, booleans, null and missing as empty cells', async () => {
    const fields = 'id,is_identified,last_seen_at,properties,properties.note,properties.missing';
    const { text } = await render('tsv', [ada, tricky, retrieved], { fields });
    expect(text).toBe(
      `${UUID1}\ttrue\t2024-05-02T11:30:00.123000Z\t{"email":"ada@example.com","plan":"pro","seats":3,"beta":true}\t\t\n` +
        // The JSON text of "tab\there" is `"tab\\there"`; tsv then escapes its backslash.
        `${UUID2}\tfalse\t\t{"note":"tab\\\\there","empty":"","nothing":null,"list":[],"obj":{}}\ttab\\there\t\n` +
        `42\t\t\t{}\t\t\n`,
    );
  });

  it('prints nothing for an empty list', async () => {
    expect(await render('tsv', [])).toEqual({ text: '', count: 0 });
  });
});

describe('jsonl', () => {
  it('prints the API object whole, one compact object a line', async () => {
    const { text } = await render('jsonl', [ada, tricky, retrieved]);
    expect(text).toBe(`${JSON.stringify(ada)}\n${JSON.stringify(tricky)}\n${JSON.stringify(retrieved)}\n`);
    expect(text.split('\n')[2]).toBe(
      `{"id":42,"uuid":"${UUID3}","name":"grace","distinct_ids":[],"properties":{},"created_at":"2024-03-03T10:00:00Z","last_seen_at":null}`,
    );
  });

  it('prints raw(record) when given', async () => {
    const { text } = await render('jsonl', [ada], { raw: (p) => ({ source: 'api', uuid: p.uuid }) });
    expect(text).toBe(`{"source":"api","uuid":"${UUID1}"}\n`);
  });

  it('prints only the selected fields, keyed by the names given, missing values as null', async () => {
    const { text } = await render('jsonl', [ada, retrieved], {
      fields: 'uuid,distinct_ids,properties.seats,properties.missing',
      raw: () => 'ignored when --fields is given',
    });
    expect(text).toBe(
      `{"uuid":"${UUID1}","distinct_ids":["ada@example.com","${ADA_ANON}"],"properties.seats":3,"properties.missing":null}\n` +
        `{"uuid":"${UUID3}","distinct_ids":[],"properties.seats":null,"properties.missing":null}\n`,
    );
  });
});

describe('json', () => {
  it('streams a list as one array, byte for byte what JSON.stringify(list, null, 2) gives', async () => {
    const { text } = await render('json', [ada, tricky, retrieved]);
    expect(text).toBe(JSON.stringify([ada, tricky, retrieved], null, 2) + '\n');
    expect(JSON.parse(text)).toEqual([ada, tricky, retrieved]);
  });

  it('prints selected fields as an indented array', async () => {
    const { text } = await render('json', [ada, retrieved], { fields: 'uuid,properties.plan' });
    expect(text).toBe(
      [
        '[',
        '  {',
        `    "uuid": "${UUID1}",`,
        '    "properties.plan": "pro"',
        '  },',
        '  {',
        `    "uuid": "${UUID3}",`,
        '    "properties.plan": null',
        '  }',
        ']',
        '',
      ].join('\n'),
    );
  });

  it('prints [] for an empty list', async () => {
    expect(await render('json', [])).toEqual({ text: '[]\n', count: 0 });
  });

  it('prints one pretty object for kind "single"', async () => {
    const { text } = await render('json', [retrieved], { kind: 'single' });
    expect(text).toBe(
      [
        '{',
        '  "id": 42,',
        `  "uuid": "${UUID3}",`,
        '  "name": "grace",',
        '  "distinct_ids": [],',
        '  "properties": {},',
        '  "created_at": "2024-03-03T10:00:00Z",',
        '  "last_seen_at": null',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints the selected fields of a single object', async () => {
    const { text } = await render('json', [tricky], { kind: 'single', fields: 'name,properties.note' });
    expect(text).toBe(`{\n  "name": ${JSON.stringify(tricky.name)},\n  "properties.note": "tab\\there"\n}\n`);
  });

  it('refuses a second record for kind "single" (a programming error, not user input)', async () => {
    await expect(render('json', [ada, ada], { kind: 'single' })).rejects.toThrow(/second record/);
  });
});

describe('csv', () => {
  it('prints a header and RFC 4180 rows with CRLF; arrays as JSON, quotes doubled', async () => {
    const { text, count } = await render('csv', [ada, tricky, retrieved]);
    expect(count).toBe(3);
    expect(text).toBe(
      'uuid,name,distinct_ids,created_at\r\n' +
        `${UUID1},ada@example.com,"[""ada@example.com"",""${ADA_ANON}""]",2024-03-01T10:00:00Z\r\n` +
        `${UUID2},"O""Brien, Zoë\t日本\nline2\\end","[""a,b"",""c""]",2024-03-02T10:00:00Z\r\n` +
        `${UUID3},grace,[],2024-03-03T10:00:00Z\r\n`,
    );
  });

  it('writes "" for an empty string, nothing for null or missing, true/false and numbers as text', async () => {
    const fields = 'properties.empty,properties.nothing,is_identified,properties.seats,properties.obj,id';
    const { text } = await render('csv', [tricky, ada, retrieved], { fields });
    expect(text).toBe(
      'properties.empty,properties.nothing,is_identified,properties.seats,properties.obj,id\r\n' +
        `"",,false,,{},${UUID2}\r\n` +
        `,,true,3,,${UUID1}\r\n` +
        ',,,,,42\r\n',
    );
  });

  it('prints the header alone for an empty list, so scripts still see the columns', async () => {
    expect(await render('csv', [], { fields: 'uuid,properties.email' })).toEqual({
      text: 'uuid,properties.email\r\n',
      count: 0,
    });
  });
});

describe('integers past 2^53 keep every digit', () => {
  const BIG = '12345678901234567890';
  const NEG = '-9007199254740993';
  // What the HTTP layer hands the renderers for such a person (parsed with parseExact).
  const big = parseExact(
    `{"id":7,"uuid":"${UUID3}","name":"big","distinct_ids":["b"],"created_at":"2024-03-03T10:00:00Z",` +
      `"properties":{"n":${BIG},"neg":${NEG},"list":[${BIG},1],"obj":{"n":${BIG}},"small":5}}`,
  ) as PersonRecord;

  it('the parsed person holds ExactNumber values', () => {
    expect(big.properties!.n).toBeInstanceOf(ExactNumber);
  });

  it('jsonl and json print the digits as JSON numbers', async () => {
    const jsonl = (await render('jsonl', [big])).text;
    expect(jsonl).toBe(
      `{"id":7,"uuid":"${UUID3}","name":"big","distinct_ids":["b"],"created_at":"2024-03-03T10:00:00Z",` +
        `"properties":{"n":${BIG},"neg":${NEG},"list":[${BIG},1],"obj":{"n":${BIG}},"small":5}}\n`,
    );
    const json = (await render('json', [big], { fields: 'properties.n,properties.list' })).text;
    expect(json).toBe(`[\n  {\n    "properties.n": ${BIG},\n    "properties.list": [\n      ${BIG},\n      1\n    ]\n  }\n]\n`);
    const single = (await render('json', [big], { kind: 'single', fields: 'properties.neg' })).text;
    expect(single).toBe(`{\n  "properties.neg": ${NEG}\n}\n`);
  });

  it('csv and tsv print plain digits, and JSON cells keep them', async () => {
    const fields = 'properties.n,properties.neg,properties.list,properties.obj';
    expect((await render('csv', [big], { fields })).text).toBe(
      `${fields}\r\n${BIG},${NEG},"[${BIG},1]","{""n"":${BIG}}"\r\n`,
    );
    expect((await render('tsv', [big], { fields })).text).toBe(`${BIG}\t${NEG}\t[${BIG},1]\t{"n":${BIG}}\n`);
  });

  it('table prints plain digits', async () => {
    const { text } = await render('table', [big], { fields: 'properties.n,properties.list,properties.obj' });
    expect(text).toBe(
      `properties.n          properties.list         properties.obj\n${BIG}  ${BIG},1  {"n":${BIG}}\n`,
    );
  });
});
