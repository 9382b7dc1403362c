// The CLI process: hands argv to main() and exits with its code. rune.ts loads this module, or
// its bundle (bundle-cli.ts), which holds it and everything it imports.
import { processIo } from './io.js';
import { main } from './main.js';

// A reader that stops early (`rune status | head`) closes the pipe: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2), processIo);
