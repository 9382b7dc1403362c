// What every verb module under commands/ exports, and the table main.ts dispatches on.
// Verb modules are imported lazily so `rune --help` loads none of them (it must start fast).
import type { Io } from './io.js';

export interface Command {
  usage: string;
  /** Paragraphs after the usage line in `rune help VERB`. */
  help: string;
  run(args: string[], io: Io): number | Promise<number>;
}

export interface Verb {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const VERBS: readonly Verb[] = [
  {
    name: 'deploy',
    summary: 'Deploy a bundle (print its plan with --dry-run).',
    load: async () => (await import('./commands/deploy.js')).deploy,
  },
  {
    name: 'help',
    summary: 'Show help for Rune or for one command.',
    load: async () => (await import('./commands/help.js')).help,
  },
  {
    name: 'version',
    summary: "Print Rune's version.",
    load: async () => (await import('./commands/version.js')).version,
  },
];

export function findVerb(name: string): Verb | undefined {
  return VERBS.find((v) => v.name === name);
}

export function overview(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return [
    'Rune deploys bundles of charms to machines over SSH and keeps them running.',
    '',
    'usage: rune COMMAND [ARGS...]',
    '',
    'Commands:',
    ...VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Run "rune help COMMAND" for one command\'s flags.',
  ].join('\n');
}
