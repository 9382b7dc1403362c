// An application's spec — charm revision, config and resource revisions: what its units see
// (DESIGN §11) — read from the store and put back. A rollout's abort restores its `from`; a
// rollback (`rune rollback`) can restore a recorded one the same way.
import { applicationSpec } from '../store/application-view.js';
import { ApplicationNotFoundError } from '../store/errors.js';
import type { ApplicationSpec, Store } from '../store/types.js';
import { own } from '../model/own.js';

export function currentSpec(store: Store, application: string): ApplicationSpec {
  const app = store.application(application);
  if (!app) throw new ApplicationNotFoundError(application);
  return applicationSpec(app, store.resources(application));
}

/** Makes `spec` the application's again; call inside a transaction. A resource the spec lacks
 * is made absent (its revisions kept), as before its first attach. */
export function restoreSpec(store: Store, application: string, spec: ApplicationSpec): void {
  const now = currentSpec(store, application);
  store.resetConfig(application, Object.keys(now.config));
  store.setConfig(application, spec.config);
  if (spec.charmRevision !== now.charmRevision) {
    store.useCharmRevision(application, spec.charmRevision);
  }
  for (const name of new Set([...Object.keys(now.resources), ...Object.keys(spec.resources)])) {
    const revision = own(spec.resources, name);
    if (revision !== own(now.resources, name)) {
      store.useResourceRevision(application, name, revision);
    }
  }
}
