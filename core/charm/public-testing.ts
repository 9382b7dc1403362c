// What a charm's tests import as `rune/testing` (package.json `exports`): the harness (state in
// → one hook → state out) and its fake machine. A charm's own code never imports this.
export * from './harness.js';
export * from './fake-machine.js';
export {
  CharmDefinitionError,
  FakeMachineError,
  type ImpossibleRule,
  ImpossibleStateError,
  MissingActionHandlerError,
} from './hook-errors.js';
