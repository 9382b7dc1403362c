// Issue 16 item 2's goals, which the scale benches print their figures beside.
export const GOALS = { deploy1000Ms: 60_000, addUnitMs: 2_000, statusMs: 300, statusUnitMs: 100 };
export const GOAL_RSS_MB = 400;
export const GOAL_CPU_PER_HOOK_MS = 0.2;

export const verdict = (value: number, goal: number) => (value <= goal ? 'met' : 'MISSED');
