// The unset-prop operation (unset-prop --from-file KEY...): the same keys removed from every
// person of the file, one delete_property request a key and person, the form every PostHog
// generation applies (src/bulk/ops/property-writes.ts says what both property writes share).
import type { Factory } from '../../factory.js';
import { UsageError } from '../../errors.js';
import { plural } from '../../output/message-text.js';
import type { BulkOperation } from '../engine/operation.js';
import type { WriteSummary } from '../engine/summary.js';
import { propertyOperation, runPropertyFile, type PropertyFileOptions, type PropertyRun } from './property-writes.js';

export function runUnsetPropFromFile(factory: Factory, options: PropertyFileOptions, keys: string[]): Promise<void> {
  const unique = [...new Set(keys)];
  return runPropertyFile(factory, options, {
    command: 'unset-prop',
    consent: 'remove properties from a file',
    check(flags) {
      if (unique.length === 0 || unique.some((k) => k.trim() === '')) throw new UsageError('give the property keys to remove, none of them empty');
      if (flags.json) throw new UsageError('--json only applies to set-prop');
    },
    withProperties: false,
    unsetKeys: unique,
    operation: (run) => unsetPropOperation(run, unique),
  });
}

export function unsetPropOperation(run: PropertyRun, keys: string[]): BulkOperation<WriteSummary> {
  return propertyOperation(run, {
    command: 'unset-prop',
    flags: { keys },
    sameOnResume: ['by', 'keys'],
    action: (whom) => `remove ${keys.join(', ')} from ${whom}`,
    single: `Remove ${keys.join(', ')} from`,
    unsetKeys: keys,
    requests: (toSend) => `${plural(toSend * keys.length, 'delete_property request')}, one a key and person`,
    async sample(plan) {
      if (plan.first.length === 0) return [];
      return [`First identifiers: ${plan.first.join(', ')}${plan.toSend > plan.first.length ? ', …' : ''}`];
    },
  });
}
