// The planner room's public surface: plan a bundle against a model, describe and apply changes.
export * from './change.js';
export * from './errors.js';
export { plan, type PlanOptions } from './plan.js';
export { applyPlan } from './simulate.js';
