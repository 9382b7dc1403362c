// A deployed charm's warm-up (easyrsa's spare keys) started while the machines are being made,
// so the first hook finds the work done. A failure here is the first hook's to report, with
// its retries, so it is dropped.
import type { LoadedCharm } from '../charm/sdk.js';
import type { ApplicationRecord, Store } from '../store/types.js';

export function warmCharm(
  store: Store,
  application: string,
  loadCharm: ((app: ApplicationRecord) => Promise<LoadedCharm>) | undefined,
): void {
  const app = store.application(application);
  if (!app || !loadCharm) return;
  loadCharm(app)
    .then(({ module }) => module.warm?.())
    .catch(() => undefined);
}
