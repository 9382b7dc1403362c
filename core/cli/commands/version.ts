// `rune version`: the version from package.json.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Command } from '../command.js';
import { packageRoot } from '../../charm/package-root.js';
import { join } from 'node:path';

export const version: Command = {
  usage: 'rune version',
  help: "Prints Rune's version.",
  run(args, io) {
    if (args.length > 0) throw new UsageError('version takes no arguments', this.usage);
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    io.out(pkg.version);
    return 0;
  },
};
