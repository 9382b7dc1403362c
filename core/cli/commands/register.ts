// `rune register STRING [--name NAME]` (issue 16 item 5): on a client machine, checks that the
// controller at the string's addresses presents the CA whose fingerprint the string holds
// (pinning it), swaps the one-time secret for a token, and records the controller as remote.
// Nothing is written here before the controller said yes.
import type { RegisterResponse } from '../../controller/api.js';
import { ApiClient } from '../../controller/api-client.js';
import { NotActiveMemberError } from '../../controller/errors.js';
import { ControllerNameError } from '../../controller/errors.js';
import { runeHome } from '../../controller/paths.js';
import { decodeRegistration, type Registration } from '../../controller/registration.js';
import { checkRegisterName, recordRemote } from '../../controller/remote-registry.js';
import { CaMismatchError } from '../../controller/access-errors.js';
import { presentedCertificates } from '../../controller/tls-transport.js';
import { ControllerRequestError } from '../../controller/errors.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune register STRING [--name NAME]';
const NAME = /^[a-z][a-z0-9-]{0,39}$/;

export const register: Command = {
  usage,
  help: [
    "Registers a controller on another host with the string its admin's `rune add-user`",
    "printed: the controller's CA is pinned (a certificate from any other CA is refused from",
    'then on) and you get a token of your own, kept 0600 in your RUNE_HOME. The controller',
    'becomes the current one; --name keeps it under another name here. rune logout ends it.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { name: { type: 'string' } }, usage);
    const [text, extra] = positionals;
    if (text === undefined) throw new UsageError('register needs the registration string', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const registration = decodeRegistration(text);
    const name = values.name ?? registration.controller;
    if (!NAME.test(name)) throw new ControllerNameError(name);
    const home = runeHome();
    checkRegisterName(home, name);
    const { ca, answer } = await exchange(name, registration);
    recordRemote(home, name, registration, ca, answer.token, new Date());
    io.out(
      `Registered controller "${name}" as user "${answer.user}" ` +
        `(CA ${registration.caFingerprint} pinned; token valid until ${answer.expiresAt}).`,
    );
    io.out('It is the current controller: rune status shows its model.');
    return 0;
  },
};

/** Tries the string's addresses in order: the first whose CA matches and that takes changes
 * (a member standing by refuses them) swaps the secret. A CA that does not match stops it. */
async function exchange(
  name: string,
  registration: Registration,
): Promise<{ ca: string; answer: RegisterResponse }> {
  let failure: unknown;
  for (const address of registration.addresses) {
    try {
      const presented = await presentedCertificates(name, address);
      const ca = presented.find((c) => c.fingerprint === registration.caFingerprint);
      if (ca === undefined) throw new CaMismatchError(name, address, 'string');
      const client = new ApiClient(name, '', { addresses: [address], ca: ca.pem });
      return { ca: ca.pem, answer: await client.register(registration.secret) };
    } catch (e) {
      if (e instanceof CaMismatchError) throw e;
      const standby = e instanceof ControllerRequestError && e.type === NotActiveMemberError.name;
      if (!standby && e instanceof ControllerRequestError) throw e;
      failure ??= e;
    }
  }
  throw failure;
}
