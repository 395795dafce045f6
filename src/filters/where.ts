// `list --where EXPR`: a small expression language for PostHog person property filters
// (README, "list"; the filter encoding is in docs/posthog-api-notes.md, "Property filters").
//
//   KEY=VALUE   exact           KEY>N   gt      KEY=*    is_set
//   KEY!=VALUE  is_not          KEY>=N  gte     KEY!=*   is_not_set
//   KEY~VALUE   icontains       KEY<N   lt
//   KEY!~VALUE  not_icontains   KEY<=N  lte
//
// The operator is the first one found scanning left to right, taking the longest token at that
// position, so values may contain operator characters: `url=https://x.com/?a=b` has key `url`.
// The key is trimmed; the value is taken literally (`name= Bob` matches " Bob"), except that
// numbers may have blanks around them. `KEY=` matches the empty string.
//
// `*` alone means "is set" for = and "is not set" for !=. To match a literal `*`, escape it:
// `KEY=\*` matches the one-character string "*". In general a value made of backslashes then a
// `*` loses one backslash (`KEY=\\*` matches `\*`), so every string can be expressed.

import { UsageError } from '../errors.js';

export interface PropertyFilter {
  key: string;
  value?: string | number | boolean | (string | number)[];
  operator: string;
  type: 'person';
}

type OperatorToken = '!=' | '!~' | '>=' | '<=' | '=' | '~' | '>' | '<';

/** Longest first, so that at one position `!=` wins over `=` and `>=` over `>`. */
const OPERATOR_TOKENS: readonly OperatorToken[] = ['!=', '!~', '>=', '<=', '=', '~', '>', '<'];

const OPERATOR_NAMES: Record<OperatorToken, string> = {
  '=': 'exact',
  '!=': 'is_not',
  '~': 'icontains',
  '!~': 'not_icontains',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

const SYNTAX_HELP =
  'use KEY=VALUE, KEY!=VALUE, KEY~VALUE, KEY!~VALUE, KEY>N, KEY>=N, KEY<N, KEY<=N, KEY=* or KEY!=*';

/**
 * A decimal number as people write them: optional sign, digits with an optional fraction, an
 * optional exponent. Stricter than Number(), which also takes "", "0x1f", "Infinity" and " ".
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `\*`, `\\*`, ...: an escaped `*` (see the header comment). */
const ESCAPED_STAR = /^\\+\*$/;

export function parseWhere(expression: string): PropertyFilter {
  const fail = (problem: string): never => {
    throw new UsageError(`invalid --where expression ${JSON.stringify(expression)}: ${problem}`);
  };

  const found = findOperator(expression);
  if (!found) return fail(`no operator; ${SYNTAX_HELP}`);
  const { token, index } = found;
  const key = expression.slice(0, index).trim();
  const value = expression.slice(index + token.length);
  if (key === '') return fail('the property key is empty');

  const operator = OPERATOR_NAMES[token];
  switch (token) {
    case '=':
    case '!=':
      if (value === '*') {
        // PostHog ignores the value of is_set/is_not_set; its own tests send the operator name.
        const presence = token === '=' ? 'is_set' : 'is_not_set';
        return { key, value: presence, operator: presence, type: 'person' };
      }
      return { key, value: ESCAPED_STAR.test(value) ? value.slice(1) : value, operator, type: 'person' };
    case '~':
    case '!~':
      if (value === '') {
        return fail(`the value is empty (${token} matches a substring; use KEY=* or KEY!=* to test whether a property is set)`);
      }
      return { key, value, operator, type: 'person' };
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const text = value.trim();
      const number = DECIMAL.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(number)) {
        return fail(`${JSON.stringify(value)} is not a number (>, >=, <, <= compare numbers)`);
      }
      return { key, value: number, operator, type: 'person' };
    }
  }
}

/** Parses every `--where` flag; all of them must hold (PostHog ANDs the filter array). */
export function parseWhereList(expressions: readonly string[]): PropertyFilter[] {
  return expressions.map((expression) => parseWhere(expression));
}

function findOperator(expression: string): { token: OperatorToken; index: number } | undefined {
  for (let index = 0; index < expression.length; index++) {
    const token = OPERATOR_TOKENS.find((candidate) => expression.startsWith(candidate, index));
    if (token) return { token, index };
  }
  return undefined;
}
