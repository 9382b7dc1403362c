// Rollouts as the controller runs them (DESIGN §11): one begins with each change to an
// application that has units (refresh, config, attach-resource), advances on every unit-runner
// pass from what the store says (so a restarted controller carries on), halts on a failing unit,
// and is resumed or aborted by the operator. The policy comes from the request's flags, else the
// application's settings, else the model's, else BOSH-like defaults.
import { parseUnitName } from '../model/names.js';
import type {
  ApplicationSpec,
  RolloutPolicy,
  RolloutRecord,
  RolloutUnit,
  Store,
} from '../store/types.js';
import { restoreSpec } from './application-spec.js';
import { type PolicyFlags, RolloutError, rolloutPolicy } from './rollout-policy.js';
import { advanceRollout, type UnitFacts } from './rollout-plan.js';

/** The policy for a change to `application`: flags > application settings > model-config. */
export function policyFor(store: Store, application: string, flags: PolicyFlags): RolloutPolicy {
  return rolloutPolicy(flags, {
    ...store.modelConfig(),
    ...store.applicationSettings(application),
  });
}

/** Begins moving the application's units from `from` to `to` (the store holds `to` already). */
export function startRollout(
  store: Store,
  request: {
    application: string;
    change: string;
    from: ApplicationSpec;
    to: ApplicationSpec;
    policy: RolloutPolicy;
    at: string;
  },
): number | undefined {
  const leader = store.leader(request.application);
  const number = (name: string) => parseUnitName(name)?.number ?? 0;
  // A change while another rolls supersedes it: the units it had not reached keep their spec
  // until this one reaches them (Juju's config just works; no unit jumps two specs at once).
  const previous = store.activeRollout(request.application);
  if (previous) store.setRollout({ ...previous, state: 'superseded', endedAt: request.at });
  const units = store
    .units(request.application)
    .filter((u) => u.life === 'alive')
    .sort((a, b) =>
      a.name === leader ? 1 : b.name === leader ? -1 : number(a.name) - number(b.name),
    )
    .map((u): RolloutUnit => {
      const earlier = previous?.units.find((p) => p.unit === u.name);
      const unit: RolloutUnit = {
        unit: u.name,
        state: 'waiting',
        before: u.workloadStatus.current,
      };
      if (earlier?.state === 'waiting') unit.from = earlier.from ?? previous?.from;
      return unit;
    });
  if (units.length === 0) return undefined;
  return store.addRollout({
    application: request.application,
    change: request.change,
    from: request.from,
    to: request.to,
    policy: request.policy,
    state: 'running',
    message: '',
    units,
    startedAt: request.at,
  });
}

/** Advances every running rollout; true when a unit started updating (it has work now). */
export function driveRollouts(
  store: Store,
  facts: (unit: string) => UnitFacts,
  now: number,
): boolean {
  let started = false;
  for (const rollout of store.activeRollouts()) {
    const next = advanceRollout(rollout, facts, now);
    if (!next) continue;
    started ||= next.units.some(
      (u, i) => u.state === 'updating' && rollout.units[i]?.state !== 'updating',
    );
    store.setRollout(next);
  }
  return started;
}

/** The application's rollout that halted, resumed: the failed unit is watched again. */
export function resumeRollout(store: Store, application: string, now: number): RolloutRecord {
  const halted = store.activeRollout(application);
  if (!halted || halted.state !== 'halted') {
    throw new RolloutError(
      `${application} has no halted rollout to resume; rune rollouts lists them`,
    );
  }
  const resumed: RolloutRecord = {
    ...halted,
    state: 'running',
    message: '',
    units: halted.units.map((u) =>
      u.state === 'failed' ? { ...u, state: 'updating', since: now } : u,
    ),
  };
  store.setRollout(resumed);
  return resumed;
}

/**
 * Stops the application's rollout and sends the units it moved back to the old spec, rolled the
 * same way: a new rollout from the new spec to the old over those units. Units it had not moved
 * never left the old spec.
 */
export function abortRollout(store: Store, application: string, at: string): number | undefined {
  const active = store.activeRollout(application);
  if (!active) {
    throw new RolloutError(
      `${application} has no running or halted rollout to abort; rune rollouts lists them`,
    );
  }
  store.setRollout({
    ...active,
    state: 'aborted',
    message: 'aborted by the operator',
    endedAt: at,
  });
  const { from } = active;
  restoreSpec(store, application, from);
  const moved = new Set(active.units.filter((u) => u.state !== 'waiting').map((u) => u.unit));
  if (moved.size === 0) return undefined;
  return store.addRollout({
    application,
    change: `abort of rollout ${active.id}`,
    from: active.to,
    to: from,
    policy: active.policy,
    state: 'running',
    message: '',
    units: active.units
      .filter((u) => moved.has(u.unit))
      .map((u) => ({ unit: u.unit, state: 'waiting' as const, before: u.before })),
    startedAt: at,
  });
}

/** Units a running rollout has yet to move: work is coming to them, though no hook is due yet. */
export function unitsToRoll(store: Store): Set<string> {
  return new Set(
    store
      .activeRollouts()
      .filter((r) => r.state === 'running')
      .flatMap((r) => r.units.filter((u) => u.state !== 'updated').map((u) => u.unit)),
  );
}

/** `rune rollout APP --resume | --abort`: the application's rollouts afterwards. */
export function actOnRollout(
  store: Store,
  request: { application: string; action: 'resume' | 'abort' },
): RolloutRecord[] {
  if (request.action === 'resume') resumeRollout(store, request.application, Date.now());
  else abortRollout(store, request.application, new Date().toISOString());
  return store.rollouts().filter((r) => r.application === request.application);
}

/** What a rollout needs to know of a unit: settled is agent idle and no hook `due`. */
export function rolloutFacts(
  store: Store,
  name: string,
  due: (unit: string) => boolean,
): UnitFacts {
  const unit = store.unit(name);
  if (!unit) return { exists: false, settled: true, workload: '', message: '' };
  const { current, message } = unit.workloadStatus;
  return {
    exists: true,
    settled: unit.agentStatus.current === 'idle' && !due(name),
    workload: current,
    message,
  };
}
