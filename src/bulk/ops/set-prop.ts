// The set-prop operation (set-prop --from-file): each row's other columns are the properties, sent
// in one PATCH a person (src/bulk/ops/property-writes.ts says what both property writes share).
import type { Factory } from '../../factory.js';
import { stringifyExact } from '../../json/exact.js';
import { plural } from '../../output/message-text.js';
import type { BulkOperation } from '../engine/operation.js';
import type { WriteSummary } from '../engine/summary.js';
import { firstRows, propertyOperation, runPropertyFile, type PropertyFileOptions, type PropertyRun } from './property-writes.js';

export function runSetPropFromFile(factory: Factory, options: PropertyFileOptions): Promise<void> {
  return runPropertyFile(factory, options, {
    command: 'set-prop',
    consent: 'set properties from a file',
    check: () => undefined,
    withProperties: true,
    operation: setPropOperation,
  });
}

export function setPropOperation(run: PropertyRun): BulkOperation<WriteSummary> {
  return propertyOperation(run, {
    command: 'set-prop',
    flags: { json: Boolean(run.options.json) },
    sameOnResume: ['by', 'json'],
    action: (whom) => `set properties on ${whom}`,
    single: 'Set properties on',
    requests: (toSend) => `${plural(toSend, 'request')}, one a person`,
    async sample(plan) {
      const rows = await firstRows(run.input.rows, plan.done, 3);
      return rows.map((row) => `  ${row.id}: ${stringifyExact(row.properties ?? {})}`);
    },
  });
}
