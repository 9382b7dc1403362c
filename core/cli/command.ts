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
    name: 'add-machine',
    summary: 'Add a machine: a new local one, or an existing host over ssh:.',
    load: async () => (await import('./commands/add-machine.js')).addMachine,
  },
  {
    name: 'add-unit',
    summary: 'Add units to an application.',
    load: async () => (await import('./commands/add-unit.js')).addUnit,
  },
  {
    name: 'add-user',
    summary: 'Add a user of the API over TCP; prints the string rune register takes.',
    load: async () => (await import('./commands/add-user.js')).addUser,
  },
  {
    name: 'attach-resource',
    summary: 'Attach files the charm declares as resources (binaries these hosts cannot fetch).',
    load: async () => (await import('./commands/attach-resource.js')).attachResource,
  },
  {
    name: 'bootstrap',
    summary: 'Create a controller and start it in the background.',
    load: async () => (await import('./commands/bootstrap.js')).bootstrap,
  },
  {
    name: 'charm',
    summary: 'Create a new charm to start from (charm init NAME [DIR]).',
    load: async () => (await import('./commands/charm.js')).charm,
  },
  {
    name: 'config',
    summary: "Show or set an application's options.",
    load: async () => (await import('./commands/config.js')).config,
  },
  {
    name: 'controller',
    summary: 'Run a controller in the foreground (controller run NAME).',
    load: async () => (await import('./commands/controller.js')).controller,
  },
  {
    name: 'controllers',
    summary: 'List the controllers on this host.',
    load: async () => (await import('./commands/controllers.js')).controllers,
  },
  {
    name: 'dashboard',
    summary: "Print the web dashboard's URL and a one-time login link.",
    load: async () => (await import('./commands/dashboard.js')).dashboard,
  },
  {
    name: 'debug-log',
    summary: 'Show the hooks units run, with outcome and duration.',
    load: async () => (await import('./commands/debug-log.js')).debugLog,
  },
  {
    name: 'deploy',
    summary: 'Deploy a bundle (print its plan with --dry-run).',
    load: async () => (await import('./commands/deploy.js')).deploy,
  },
  {
    name: 'destroy-controller',
    summary: 'Stop a controller and destroy every machine it made.',
    load: async () => (await import('./commands/destroy-controller.js')).destroyController,
  },
  {
    name: 'diff-bundle',
    summary: 'Show how a bundle differs from the model.',
    load: async () => (await import('./commands/diff-bundle.js')).diffBundle,
  },
  {
    name: 'exec',
    summary: 'Run a command on a machine and stream its output.',
    load: async () => (await import('./commands/exec.js')).exec,
  },
  {
    name: 'enable-ha',
    summary: 'Make the controller highly available: members over a store in etcd.',
    load: async () => (await import('./commands/enable-ha.js')).enableHa,
  },
  {
    name: 'export-bundle',
    summary: 'Write the model as a bundle (deploy takes it unchanged).',
    load: async () => (await import('./commands/export-bundle.js')).exportBundle,
  },
  {
    name: 'help',
    summary: 'Show help for Rune or for one command.',
    load: async () => (await import('./commands/help.js')).help,
  },
  {
    name: 'history',
    summary: 'List model revisions: each change with its time, command and diff.',
    load: async () => (await import('./commands/history.js')).history,
  },
  {
    name: 'integrate',
    summary: 'Relate two applications (alias of relate).',
    load: async () => (await import('./commands/relate.js')).relate,
  },
  {
    name: 'logout',
    summary: "Revoke and delete this client's token for a remote controller.",
    load: async () => (await import('./commands/logout.js')).logout,
  },
  {
    name: 'model-config',
    summary: 'Show or set model-wide settings.',
    load: async () => (await import('./commands/model-config.js')).modelConfig,
  },
  {
    name: 'refresh',
    summary: 'Move an application to a new charm revision (--path DIR, --revision N).',
    load: async () => (await import('./commands/refresh.js')).refresh,
  },
  {
    name: 'register',
    summary: 'Register a controller on another host with a string from rune add-user.',
    load: async () => (await import('./commands/register.js')).register,
  },
  {
    name: 'relate',
    summary: 'Relate two applications.',
    load: async () => (await import('./commands/relate.js')).relate,
  },
  {
    name: 'remove-application',
    summary: 'Remove an application, its units and relations.',
    load: async () => (await import('./commands/remove-application.js')).removeApplication,
  },
  {
    name: 'remove-machine',
    summary: 'Remove machines (local ones are destroyed).',
    load: async () => (await import('./commands/remove-machine.js')).removeMachine,
  },
  {
    name: 'remove-relation',
    summary: 'Remove a relation.',
    load: async () => (await import('./commands/remove-relation.js')).removeRelation,
  },
  {
    name: 'remove-unit',
    summary: 'Remove units (they run their departure hooks).',
    load: async () => (await import('./commands/remove-unit.js')).removeUnit,
  },
  {
    name: 'resolve',
    summary: "Retry (or skip) a unit's failed hook.",
    load: async () => (await import('./commands/resolve.js')).resolve,
  },
  {
    name: 'rollback',
    summary: "Restore an application's charm revision and config from a model revision.",
    load: async () => (await import('./commands/rollback.js')).rollback,
  },
  {
    name: 'rollout',
    summary: 'Resume or abort a halted rollout.',
    load: async () => (await import('./commands/rollout.js')).rollout,
  },
  {
    name: 'rollout-policy',
    summary: "Show an application's rollout policy and where each field comes from.",
    load: async () => (await import('./commands/rollout-policy.js')).rolloutPolicy,
  },
  {
    name: 'rollouts',
    summary: 'List rollouts and where each unit is.',
    load: async () => (await import('./commands/rollouts.js')).rollouts,
  },
  {
    name: 'rotate-store-key',
    summary: "Re-encrypt the store's secrets with a new key (docs/store-key.md).",
    load: async () => (await import('./commands/rotate-store-key.js')).rotateStoreKeyCommand,
  },
  {
    name: 'run',
    summary: 'Run an action on a unit (or APP/leader).',
    load: async () => (await import('./commands/run.js')).run,
  },
  {
    name: 'scp',
    summary: 'Copy files to or from a machine (N:PATH or UNIT:PATH).',
    load: async () => (await import('./commands/scp.js')).scp,
  },
  {
    name: 'set-rollout-policy',
    summary: "Set an application's own rollout policy (canaries, max-in-flight, watch).",
    load: async () => (await import('./commands/rollout-policy.js')).setRolloutPolicy,
  },
  {
    name: 'show-action',
    summary: 'Show the status and results of an action.',
    load: async () => (await import('./commands/show-action.js')).showAction,
  },
  {
    name: 'show-status-log',
    summary: 'Show the status history of a unit, machine, application or the model.',
    load: async () => (await import('./commands/show-status-log.js')).showStatusLog,
  },
  {
    name: 'sim',
    summary: 'Lose or heal simulated machines (sim cloud rehearsals).',
    load: async () => (await import('./commands/sim.js')).sim,
  },
  {
    name: 'ssh',
    summary: 'Open an SSH session to a machine.',
    load: async () => (await import('./commands/ssh.js')).ssh,
  },
  {
    name: 'status',
    summary: 'Show the model and its machines.',
    load: async () => (await import('./commands/status.js')).status,
  },
  {
    name: 'version',
    summary: "Print Rune's version.",
    load: async () => (await import('./commands/version.js')).version,
  },
  {
    name: 'wait-for',
    summary: "Wait until an application's units are active and idle.",
    load: async () => (await import('./commands/wait-for.js')).waitFor,
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
