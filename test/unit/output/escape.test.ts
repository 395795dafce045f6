import { describe, expect, it } from 'vitest';
import { personLabel } from '../../../src/output/message-text.js';
import { systemIO } from '../../../src/io/streams.js';
import { escapeForTerminal, escapeLinesForTerminal } from '../../../src/output/escape.js';

describe('escapeForTerminal', () => {
  it('shows ESC sequences, BEL, CR, LF, tab, DEL and C1 controls visibly', () => {
    expect(escapeForTerminal('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(escapeForTerminal('\u001b]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07');
    expect(escapeForTerminal('fake\rDelete nobody?')).toBe('fake\\rDelete nobody?');
    expect(escapeForTerminal('one\ntwo\tthree')).toBe('one\\ntwo\\tthree');
    expect(escapeForTerminal('nul\u0000 del\u007f csi\u009b31m nel\u0085')).toBe('nul\\x00 del\\x7f csi\\u009b31m nel\\u0085');
  });

  it('shows bidirectional overrides and isolates visibly, so a name cannot reorder what a prompt shows', () => {
    expect(escapeForTerminal('user_1\u202eetelед')).toBe('user_1\\u202eetelед');
    expect(escapeForTerminal('a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069')).toBe(
      'a\\u202ab\\u202bc\\u202cd\\u202de\\u2066f\\u2067g\\u2068h\\u2069',
    );
    expect(escapeLinesForTerminal('x\u202ey\nz')).toBe('x\\u202ey\nz');
  });

  it('leaves every other character alone, backslashes and non-ASCII text included', () => {
    const text = 'C:\\path "José" 山田 🚀 \u00a0nbsp \u2028';
    expect(escapeForTerminal(text)).toBe(text);
  });

  it('leaves no control character in any text', () => {
    let all = '';
    for (let code = 0; code < 0x100; code++) all += String.fromCharCode(code);
    // eslint-disable-next-line no-control-regex
    expect(escapeForTerminal(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe('escapeLinesForTerminal', () => {
  it('keeps the line feeds of a message and escapes every other control character', () => {
    expect(escapeLinesForTerminal('error: x\u001b[2J\r\nhint')).toBe('error: x\\x1b[2J\\r\nhint');
  });
});

describe('IOStreams.err, the last guard of stderr', () => {
  it('writes a line with control characters escaped and its own line feeds kept', () => {
    const written: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      systemIO({ env: {} }).err('warning: "\u001b]0;pwned\u0007\u009b" was\rodd\nsecond line');
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual(['warning: "\\x1b]0;pwned\\x07\\u009b" was\\rodd\nsecond line\n']);
  });
});

describe('personLabel (the write commands\' confirmation)', () => {
  it('escapes a name from the server, and shows one that is not a string', () => {
    expect(personLabel({ uuid: 'u-1', name: 'evil\u001b[2J' }, 'u-1')).toBe('person u-1 (evil\\x1b[2J)');
    expect(personLabel({ uuid: 'u-1', name: 42 as unknown as string }, 'u-1')).toBe('person u-1 (42)');
  });
});
