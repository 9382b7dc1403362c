// Model settings: durations as Juju writes them, unknown keys and bad values refused together.
import { describe, expect, it } from 'vitest';
import {
  checkModelConfig,
  modelConfigView,
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

  it('takes status-history-size as a whole number from 1 (default 100)', () => {
    expect(modelConfigView({})['status-history-size']?.value).toBe('100');
    expect(() => checkModelConfig({ 'status-history-size': '500' })).not.toThrow();
    for (const bad of ['0', '-3', '1.5', 'many', '10001']) {
      expect(() => checkModelConfig({ 'status-history-size': bad })).toThrow(
        `status-history-size: must be a whole number from 1 to 10000, got "${bad}"`,
      );
    }
  });
});
