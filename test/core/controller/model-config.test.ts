// Model settings: durations as Juju writes them, unknown keys and bad values refused together.
import { describe, expect, it } from 'vitest';
import {
  checkModelConfig,
  parseDurationMs,
  updateStatusIntervalMs,
} from '../../../core/controller/model-config.js';

describe('model-config', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
  ])('reads %s', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['5', 'soon', '5 m', '-1s'])('refuses %s as a duration', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );

  it('defaults update-status to 5 minutes and honours a setting', () => {
    expect(updateStatusIntervalMs({})).toBe(300_000);
    expect(updateStatusIntervalMs({ 'update-status-hook-interval': '10s' })).toBe(10_000);
  });

  it('reports every problem at once', () => {
    expect(() =>
      checkModelConfig({ 'update-status-hook-interval': '100ms', colour: 'blue' }),
    ).toThrow(
      'update-status-hook-interval: must be at least 1s, got 100ms\nunknown model setting "colour"; known: update-status-hook-interval',
    );
  });
});
