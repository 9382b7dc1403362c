// The event bus: the generation only grows, listeners hear each bump, and nextChange answers on
// a change, at its timeout, on abort or on close, leaving no listener behind in every case.
import { describe, expect, it } from 'vitest';
import { ModelEvents } from '../../../core/controller/model-events.js';

const listeners = (events: ModelEvents) =>
  events.listenerCount('change') + events.listenerCount('close');

describe('ModelEvents', () => {
  it('counts up and tells each listener the new generation', () => {
    const events = new ModelEvents();
    const heard: number[] = [];
    events.on('change', (generation) => heard.push(generation));
    expect(events.generation).toBe(0);
    events.bump();
    events.bump();
    expect(events.generation).toBe(2);
    expect(heard).toEqual([1, 2]);
  });

  it('holds a waiter until the next change, then lets go of it', async () => {
    const events = new ModelEvents();
    let answer: number | undefined;
    const waiting = events.nextChange(0, 60_000).then((g) => (answer = g));
    await Promise.resolve();
    expect(answer).toBeUndefined();
    expect(listeners(events)).toBe(2);
    events.bump();
    expect(await waiting).toBe(1);
    expect(listeners(events)).toBe(0);
  });

  it('answers at once when the waiter is behind, or names a generation it never issued', async () => {
    const events = new ModelEvents();
    events.bump();
    events.bump();
    expect(await events.nextChange(1, 60_000)).toBe(2);
    expect(await events.nextChange(-1, 60_000)).toBe(2);
    // A generation from a previous controller run: the waiter knows nothing current.
    expect(await events.nextChange(57, 60_000)).toBe(2);
    expect(listeners(events)).toBe(0);
  });

  it('answers with the same generation when the timeout passes without a change', async () => {
    const events = new ModelEvents();
    expect(await events.nextChange(0, 10)).toBe(0);
    expect(listeners(events)).toBe(0);
  });

  it('answers when the signal aborts', async () => {
    const events = new ModelEvents();
    const abort = new AbortController();
    const waiting = events.nextChange(0, 60_000, abort.signal);
    abort.abort();
    expect(await waiting).toBe(0);
    expect(listeners(events)).toBe(0);
  });

  it('answers every waiter on close, and every later one at once', async () => {
    const events = new ModelEvents();
    const waiting = [events.nextChange(0, 60_000), events.nextChange(0, 60_000)];
    events.close();
    expect(await Promise.all(waiting)).toEqual([0, 0]);
    expect(await events.nextChange(0, 60_000)).toBe(0);
    expect(listeners(events)).toBe(0);
  });
});
