// `completion bash|zsh|fish`: a completion script generated from the command tree itself, so it
// never drifts from the real commands and flags.
import { Argument, Command, type Option } from 'commander';
import type { Factory } from '../factory.js';
import { examples } from './shared.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export function createCompletionCommand(factory: Factory, root: () => Command): Command {
  const command = new Command('completion')
    .description('Print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      factory.io.stdout.write(completionScript(root(), shell));
    });
  examples(command, [
    ['bash, for this session', 'source <(posthog-persons completion bash)'],
    ['zsh, permanently', 'posthog-persons completion zsh > "${fpath[1]}/_posthog-persons"'],
    ['fish', 'posthog-persons completion fish > ~/.config/fish/completions/posthog-persons.fish'],
  ]);
  return command;
}

interface Node {
  path: string[];
  command: Command;
}

function walk(command: Command, path: string[] = []): Node[] {
  const nodes: Node[] = [{ path, command }];
  for (const sub of command.commands) nodes.push(...walk(sub, [...path, sub.name()]));
  return nodes;
}

function flags(options: readonly Option[]): string[] {
  return options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
}

export function completionScript(root: Command, shell: Shell): string {
  const name = root.name();
  const nodes = walk(root);
  const globalFlags = flags(root.options);
  if (shell === 'fish') return fishScript(name, nodes);
  // bash and zsh share one script: zsh runs it through bashcompinit.
  const cases = nodes
    .map(({ path, command }) => {
      const words = [...command.commands.map((c) => c.name()), ...flags(command.options), ...globalFlags, '--help'];
      return `    "${path.join(' ')}") words="${[...new Set(words)].join(' ')}" ;;`;
    })
    .join('\n');
  const fn = `_${name.replace(/-/g, '_')}_complete`;
  const bash = `${fn}() {
  local cur path="" i w candidate
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    if [[ -z "$path" ]]; then candidate="$w"; else candidate="$path $w"; fi
    case "$candidate" in
${nodes
  .filter((n) => n.path.length > 0)
  .map((n) => `      "${n.path.join(' ')}") path="$candidate" ;;`)
  .join('\n')}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`;
  if (shell === 'bash') return `# bash completion for ${name}\n${bash}`;
  return `#compdef ${name}\n# zsh completion for ${name}\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

function fishScript(name: string, nodes: Node[]): string {
  const lines = [`# fish completion for ${name}`, `complete -c ${name} -f`];
  for (const { path, command } of nodes) {
    const condition =
      path.length === 0
        ? `__fish_use_subcommand`
        : `__fish_seen_subcommand_from ${path[path.length - 1]}`;
    for (const sub of command.commands) {
      lines.push(`complete -c ${name} -n '${condition}' -a ${sub.name()} -d ${fishQuote(sub.description())}`);
    }
    if (path.length === 0) continue;
    for (const option of command.options) {
      const parts = [`complete -c ${name} -n '${condition}'`];
      if (option.long) parts.push(`-l ${option.long.replace(/^--/, '')}`);
      if (option.short) parts.push(`-s ${option.short.replace(/^-/, '')}`);
      if (option.required || option.optional) parts.push('-r');
      parts.push(`-d ${fishQuote(option.description)}`);
      lines.push(parts.join(' '));
    }
  }
  for (const option of nodes[0]!.command.options) {
    const parts = [`complete -c ${name}`];
    if (option.long) parts.push(`-l ${option.long.replace(/^--/, '')}`);
    if (option.short) parts.push(`-s ${option.short.replace(/^-/, '')}`);
    parts.push(`-d ${fishQuote(option.description)}`);
    lines.push(parts.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
