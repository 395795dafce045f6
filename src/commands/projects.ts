// `projects`: every project and environment the key reaches (src/api/projects.ts), with the
// project an environment belongs to and the organization. It needs no project setting: it is
// how a user finds the ids to give --project.
import { Command } from 'commander';
import type { Factory } from '../factory.js';
import type { ReachableProject } from '../api/projects.js';
import type { RecordSchema } from '../output/columns.js';
import { addOutputOptions, examples, openRenderer, outputFormat, type OutputFlags } from './shared.js';

export type ProjectsOptions = OutputFlags;

export const projectSchema: RecordSchema<ReachableProject> = {
  columns: [
    { name: 'id', fixedWidth: true, get: (p) => p.id },
    { name: 'name', get: (p) => p.name },
    { name: 'kind', fixedWidth: true, get: (p) => p.kind },
    { name: 'project_id', header: 'PROJECT', fixedWidth: true, get: (p) => p.project_id },
    { name: 'organization_id', header: 'ORGANIZATION ID', fixedWidth: true, get: (p) => p.organization_id },
    { name: 'organization_name', header: 'ORGANIZATION', get: (p) => p.organization_name },
  ],
  defaultFields: ['id', 'name', 'kind', 'project_id', 'organization_name'],
};

export function createProjectsCommand(factory: Factory): Command {
  const command = new Command('projects').description(
    'List the projects and environments the API key can reach (id, name, kind, project, organization)',
  );
  addOutputOptions(command, { schema: projectSchema });
  examples(command, [
    ['what this key reaches, to pick a --project', 'posthog-persons projects'],
    ['as CSV, with the organization ids', 'posthog-persons projects -o csv > projects.csv'],
    ['only the ids, one a line, for a script', 'posthog-persons projects --fields id -o tsv'],
    ['the environments and the project each belongs to', "posthog-persons projects -o jsonl | grep '\"environment\"'"],
  ]);
  command.addHelpText(
    'after',
    '\nNeeds a key with the organization:read and project:read scopes; a key limited to some projects lists just those.\n',
  );
  return command.action(async (options: ProjectsOptions) => runProjects(factory, options));
}

export async function runProjects(factory: Factory, options: ProjectsOptions): Promise<void> {
  const format = outputFormat(factory, options.output);
  const renderer = await openRenderer<ReachableProject>(factory, { output: format, schema: projectSchema, fields: options.fields });
  const { ProjectsApi } = await import('../api/projects.js');
  // No project is needed to list them.
  const api = await factory.apiAnyProject();
  for await (const project of new ProjectsApi(api).reachable()) await renderer.write(project);
  const { count } = await renderer.end();
  if (count === 0 && format === 'table') factory.io.err('No projects found: the key reaches none.');
}
