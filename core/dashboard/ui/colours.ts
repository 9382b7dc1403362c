// Status colours, one per Health class (core/controller/dashboard-views.ts decides the class):
// green all is well, amber busy or waiting, red needs an operator, grey not known yet.
import type { Health } from '../types.js';

export const COLOURS: Record<Health, string> = {
  ok: '#2e9e44',
  busy: '#e0a100',
  bad: '#d43a2f',
  unknown: '#8a8f98',
};
