// Waiting for an application's rollout (`rune rollouts APP`) to finish, as an operator would
// before acting on the units it moves.
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

/** Resolves once APP has no running or halted rollout; fails after `timeoutMs`. */
export async function rolloutsFinished(application: string, timeoutMs = 300_000): Promise<void> {
  await waitFor(
    `the ${application} rollout to finish`,
    async () => {
      const listed = (await runCli('rollouts', application)).out.join('\n');
      if (/ (halted|running) /.test(listed)) throw new Error(listed);
      return true;
    },
    { timeoutMs },
  );
}
