// `verify` over several projects: `--projects` with arguments or --from-file (the same identifiers
// checked in each project), and `verify --journal` of a run over several projects (each project
// checked for what its section recorded as deleted). One project after another through
// verifyIdentifiers, on that project's client (one rate limiter); stdout and the report carry a
// `project` column; stderr has a line per project and a total; exit 8 when any still resolves.
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import { plural } from '../../output/message-text.js';
import { openReport } from '../report/report-file.js';
import { StillPresent, verifyIdentifiers, type VerifyInput, type VerifyOptions } from './verify.js';

export interface VerifySection {
  project: number;
  /** how the project is named on stderr (escaped): `1 "Production"`, or `project 1` */
  label: string;
  api: PersonsApi;
  input: VerifyInput;
}

export async function verifyInProjects(factory: Factory, sections: VerifySection[], options: VerifyOptions): Promise<void> {
  const report = options.report === undefined ? undefined : await openReport(options.report, { extra: ['project'] });
  const lines: string[] = [];
  let checked = 0;
  let present = 0;
  let lookups = 0;
  try {
    for (const section of sections) {
      const result = await verifyIdentifiers(factory, section.api, section.input, { ...options, report: undefined, section: { project: section.project, report } });
      checked += result.checked;
      present += result.present;
      lookups += result.lookups;
      const waited = result.waitedMs === undefined ? '' : ` after waiting ${Math.round(result.waitedMs / 1000)} s`;
      lines.push(`  ${section.label}: checked ${plural(result.checked, 'identifier')} in ${plural(result.lookups, 'lookup')}: ${(result.checked - result.present).toLocaleString('en-US')} gone, ${result.present.toLocaleString('en-US')} still present${waited}`);
    }
    await report?.commit();
  } catch (error) {
    await report?.abort();
    throw error;
  }
  await options.renderer.end();
  if (!factory.globals().quiet) {
    factory.io.err(`Checked in ${plural(sections.length, 'project')}:`);
    for (const line of lines) factory.io.err(line);
    factory.io.err(`  total: checked ${checked.toLocaleString('en-US')} in ${plural(lookups, 'lookup')}: ${(checked - present).toLocaleString('en-US')} gone, ${present.toLocaleString('en-US')} still present`);
    if (options.report !== undefined) factory.io.err(`Report: ${options.report}`);
  }
  if (present > 0) {
    throw new StillPresent(
      `${plural(present, 'identifier')} still ${present === 1 ? 'resolves' : 'resolve'} to a person (the project column says where)`,
      options.waitMs === undefined ? 'PostHog removes persons queued for deletion within minutes: check again with --wait[=SECONDS].' : 'Check the run that should have deleted them (its journal), or delete them again.',
    );
  }
}
