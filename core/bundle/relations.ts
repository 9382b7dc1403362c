// Relations of a bundle: endpoint syntax, lookup in charm metadata, Juju's endpoint inference
// (equal interface, complementary roles, never peers), and the checks on the pair. Pure.
import { isApplicationName, isEndpointName } from '../model/names.js';
import { relationKey, type EndpointSpec } from '../model/types.js';
import type { BundleEndpoint, BundleRelation } from './types.js';

export interface RelationApp {
  charm: string;
  subordinate: boolean;
  endpoints: readonly EndpointSpec[];
}

export interface RelationInput {
  /** Index in the merged `relations:` list. */
  index: number;
  /** The two endpoint strings as written (arity and types already checked). */
  ends: readonly [string, string];
}

export interface RelationProblem {
  index: number;
  /** Which of the two ends is at fault; undefined = the relation as a whole. */
  end?: 0 | 1;
  message: string;
}

interface Parsed {
  application: string;
  endpoint?: string;
}

function parseEnd(text: string): Parsed | string {
  const [application = '', endpoint, extra] = text.split(':');
  if (extra !== undefined || !isApplicationName(application)) {
    return `invalid endpoint "${text}": expected app or app:endpoint`;
  }
  if (endpoint === undefined) return { application };
  if (!isEndpointName(endpoint))
    return `invalid endpoint "${text}": bad endpoint name "${endpoint}"`;
  return { application, endpoint };
}

const show = (app: string, e: EndpointSpec) => `${app}:${e.name}`;

function compatible(a: EndpointSpec, b: EndpointSpec): boolean {
  if (a.role === 'peer' || b.role === 'peer' || a.interface !== b.interface) return false;
  return (
    (a.role === 'provider' && b.role === 'requirer') ||
    (a.role === 'requirer' && b.role === 'provider')
  );
}

/** Why two named endpoints cannot relate, or undefined when they can. */
function pairProblem(a: string, ea: EndpointSpec, b: string, eb: EndpointSpec): string | undefined {
  if (ea.role === 'peer' || eb.role === 'peer') {
    const peer = ea.role === 'peer' ? show(a, ea) : show(b, eb);
    return `${peer} is a peer endpoint; peer relations are made automatically`;
  }
  if (ea.role === eb.role) {
    const verb = ea.role === 'provider' ? 'provide' : 'require';
    return `${show(a, ea)} and ${show(b, eb)} both ${verb}; a relation joins a provider to a requirer`;
  }
  if (ea.interface !== eb.interface) {
    return `${show(a, ea)} (${ea.interface}) and ${show(b, eb)} (${eb.interface}) have different interfaces`;
  }
  return undefined;
}

export function resolveRelations(
  inputs: readonly RelationInput[],
  apps: ReadonlyMap<string, RelationApp>,
): { relations: BundleRelation[]; problems: RelationProblem[] } {
  const relations: BundleRelation[] = [];
  const problems: RelationProblem[] = [];
  const seen = new Map<string, number>();
  for (const { index, ends } of inputs) {
    const parsed = ends.map(parseEnd);
    let broken = false;
    parsed.forEach((p, end) => {
      if (typeof p === 'string') {
        problems.push({ index, end: end as 0 | 1, message: p });
        broken = true;
      } else if (!apps.has(p.application)) {
        problems.push({
          index,
          end: end as 0 | 1,
          message: `application "${p.application}" is not in this bundle`,
        });
        broken = true;
      }
    });
    if (broken) continue;
    const [a, b] = parsed as [Parsed, Parsed];
    const appA = apps.get(a.application) as RelationApp;
    const appB = apps.get(b.application) as RelationApp;
    if (a.application === b.application) {
      problems.push({
        index,
        message: `relates ${a.application} to itself; peer relations are made automatically`,
      });
      continue;
    }
    const pick = (p: Parsed, app: RelationApp, end: 0 | 1): EndpointSpec[] | undefined => {
      if (p.endpoint === undefined) return [...app.endpoints];
      const found = app.endpoints.find((e) => e.name === p.endpoint);
      if (found) return [found];
      const names =
        app.endpoints
          .map((e) => e.name)
          .sort()
          .join(', ') || 'none';
      problems.push({
        index,
        end,
        message: `application ${p.application} (charm ${app.charm}) has no endpoint "${p.endpoint}"; its endpoints: ${names}`,
      });
      return undefined;
    };
    const candA = pick(a, appA, 0);
    const candB = pick(b, appB, 1);
    if (!candA || !candB) continue;
    let chosen: [EndpointSpec, EndpointSpec] | undefined;
    if (a.endpoint !== undefined && b.endpoint !== undefined) {
      const [ea, eb] = [candA[0] as EndpointSpec, candB[0] as EndpointSpec];
      const problem = pairProblem(a.application, ea, b.application, eb);
      if (problem) {
        problems.push({ index, message: problem });
        continue;
      }
      chosen = [ea, eb];
    } else {
      const pairs: [EndpointSpec, EndpointSpec][] = [];
      for (const ea of candA) for (const eb of candB) if (compatible(ea, eb)) pairs.push([ea, eb]);
      if (pairs.length !== 1) {
        const what = `"${ends[0]}" and "${ends[1]}"`;
        const listed = pairs
          .map(([ea, eb]) => `${show(a.application, ea)} - ${show(b.application, eb)}`)
          .join(', ');
        problems.push({
          index,
          message:
            pairs.length === 0
              ? `cannot relate ${what}: no endpoints with the same interface and complementary roles`
              : `ambiguous relation ${what}: name the endpoints, candidates: ${listed}`,
        });
        continue;
      }
      chosen = pairs[0];
    }
    if (!chosen) continue;
    const [ea, eb] = chosen;
    if (
      (ea.scope === 'container' || eb.scope === 'container') &&
      !appA.subordinate &&
      !appB.subordinate
    ) {
      problems.push({
        index,
        message: `${show(a.application, ea)} - ${show(b.application, eb)} is container-scoped, which needs a subordinate application on one side`,
      });
      continue;
    }
    const endpoint = (app: string, e: EndpointSpec): BundleEndpoint => ({
      application: app,
      name: e.name,
      interface: e.interface,
      role: e.role,
    });
    const relation: BundleRelation = {
      endpoints: [endpoint(a.application, ea), endpoint(b.application, eb)],
    };
    const key = relationKey(relation.endpoints);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        index,
        message: `duplicates relations[${first}] (${show(a.application, ea)} - ${show(b.application, eb)})`,
      });
      continue;
    }
    seen.set(key, index);
    relations.push(relation);
  }
  return { relations, problems };
}
