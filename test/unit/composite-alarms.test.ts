import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AlarmState } from '../../local/cloudwatch/alarm-evaluation.js';
import { evaluateAlarmRule, parseAlarmRule, triggeringAlarms } from '../../local/cloudwatch/alarm-rule.js';
import {
  LocalCompositeAlarms,
  type CompositeAlarmSpec,
  type CompositeTransition,
} from '../../local/cloudwatch/composite-alarms.js';
import { VirtualClock } from '../../local/clock.js';

const states = (map: Record<string, AlarmState>) => (name: string) => map[name];

describe('composite alarm rules (AlarmRule syntax)', () => {
  it('parses the documented forms: quoted names and ARNs, bare names, TRUE/FALSE, NOT before AND before OR', () => {
    const rule = parseAlarmRule(
      'ALARM(CPUUtilizationTooHigh) AND NOT OK("arn:aws:cloudwatch:us-east-1:1:alarm:Disk Read") OR FALSE',
    );
    expect(rule).toEqual({
      kind: 'or',
      rules: [
        {
          kind: 'and',
          rules: [
            { kind: 'state', state: 'ALARM', alarm: 'CPUUtilizationTooHigh' },
            {
              kind: 'not',
              rule: { kind: 'state', state: 'OK', alarm: 'arn:aws:cloudwatch:us-east-1:1:alarm:Disk Read' },
            },
          ],
        },
        { kind: 'constant', value: false },
      ],
    });
    const of = states({ a: 'ALARM', b: 'OK', c: 'INSUFFICIENT_DATA' });
    expect(evaluateAlarmRule(parseAlarmRule('ALARM(a) AND (OK(b) OR ALARM(c))'), of)).toBe(true);
    expect(evaluateAlarmRule(parseAlarmRule('ALARM(a) AND NOT OK(b)'), of)).toBe(false);
    expect(evaluateAlarmRule(parseAlarmRule('INSUFFICIENT_DATA(c) AND TRUE'), of)).toBe(true);
  });

  it('parses the rule CDK writes for AlarmRule.anyOf', () => {
    const rule = parseAlarmRule(
      '(ALARM("arn:aws:cloudwatch:us-east-1:000000000000:alarm:x") OR ALARM("arn:aws:cloudwatch:us-east-1:000000000000:alarm:y"))',
    );
    expect(
      triggeringAlarms(
        rule,
        states({
          'arn:aws:cloudwatch:us-east-1:000000000000:alarm:x': 'ALARM',
          'arn:aws:cloudwatch:us-east-1:000000000000:alarm:y': 'OK',
        }),
      ),
    ).toEqual(['arn:aws:cloudwatch:us-east-1:000000000000:alarm:x']);
  });

  it.each([
    ['ALARM(a) AND', 'expected a condition at the end'],
    ['ALARM(a', 'expected ")" at the end'],
    ['alarm(a)', 'expected ALARM(…), OK(…), INSUFFICIENT_DATA(…), TRUE, FALSE, NOT or "(" at character 1 ("alarm")'],
    ['ALARM("a) OR OK(b)', 'the quote at character 7 is never closed'],
    ['ALARM(a) OK(b)', 'unexpected at character 10 ("OK")'],
  ])('refuses %s, saying where', (text, message) => {
    expect(() => parseAlarmRule(text)).toThrow(message);
  });

  it('names a rule that refers to an alarm that does not exist', () => {
    expect(() => evaluateAlarmRule(parseAlarmRule('ALARM(ghost)'), states({}))).toThrow(
      'the rule names an alarm that does not exist: ghost',
    );
  });
});

describe('composite alarms with an actions suppressor', () => {
  const T0 = Date.UTC(2026, 10, 26, 12);

  function setup(
    options: {
      waitMs?: number;
      extensionMs?: number;
      stateFile?: string;
      clock?: VirtualClock;
      children?: Record<string, AlarmState>;
    } = {},
  ) {
    const clock = options.clock ?? new VirtualClock({ start: T0, rate: 0 });
    const children: Record<string, AlarmState> = options.children ?? { a: 'OK', b: 'OK', release: 'OK' };
    const stateFile = options.stateFile ?? join(mkdtempSync(join(tmpdir(), 'mlops-composites-')), 'composites.json');
    const spec: CompositeAlarmSpec = {
      logicalId: 'Degraded',
      name: 'degraded',
      arn: 'arn:aws:cloudwatch:us-east-1:0:alarm:degraded',
      ruleText: 'ALARM(a) OR ALARM(b)',
      rule: parseAlarmRule('ALARM(a) OR ALARM(b)'),
      actionsEnabled: true,
      actions: { ALARM: ['page'], OK: ['page'], INSUFFICIENT_DATA: [] },
      suppressor: 'release',
      suppressorWaitMs: options.waitMs ?? 0,
      suppressorExtensionMs: options.extensionMs ?? 0,
    };
    const transitions: CompositeTransition[] = [];
    const lookup = (name: string) =>
      name in children
        ? {
            name,
            arn: `arn:${name}`,
            status: { state: children[name] as AlarmState, reason: '', updatedAt: clock.now() },
          }
        : undefined;
    const composites = new LocalCompositeAlarms([spec], clock, lookup, stateFile, async (t) => {
      transitions.push(t);
    });
    const set = async (name: string, state: AlarmState) => {
      const previous = children[name] as AlarmState;
      children[name] = state;
      await composites.alarmChanged(name, `arn:${name}`, state, previous);
    };
    const pages = () => transitions.filter((t) => t.runActions).map((t) => t.current.state);
    return { clock, composites, set, transitions, pages, stateFile, children };
  }

  it('goes into ALARM once for a storm of children, with the triggering alarms in its reason data, and back to OK once', async () => {
    const { set, transitions, pages, composites } = setup();
    await composites.evaluateAll();
    await set('a', 'ALARM');
    await set('b', 'ALARM');
    await set('a', 'OK');
    expect(pages()).toEqual(['OK', 'ALARM']);
    expect(JSON.parse(transitions[1]?.current.reasonData ?? '{}')).toEqual({
      triggeringAlarms: [{ arn: 'arn:a', state: { value: 'ALARM', timestamp: expect.any(String) } }],
    });
    await set('b', 'OK');
    expect(pages()).toEqual(['OK', 'ALARM', 'OK']);
  });

  it('runs no actions while the suppressor is in ALARM, nor for the extension period after it', async () => {
    const { set, transitions, pages, clock, composites } = setup({ extensionMs: 300_000 });
    await composites.evaluateAll();
    await set('release', 'ALARM');
    await set('a', 'ALARM');
    expect(transitions.at(-1)?.current).toMatchObject({ state: 'ALARM', actionsSuppressedBy: 'Alarm' });
    await set('release', 'OK');
    await clock.advance(60_000);
    await set('a', 'OK');
    expect(transitions.at(-1)?.current).toMatchObject({ state: 'OK', actionsSuppressedBy: 'ExtensionPeriod' });
    await clock.advance(300_000);
    await set('b', 'ALARM');
    expect(pages()).toEqual(['OK', 'ALARM']);
  });

  it('waits the wait period before acting, and drops the actions if the suppressor goes into ALARM meanwhile', async () => {
    const { set, pages, clock, composites, transitions } = setup({ waitMs: 120_000 });
    await composites.evaluateAll();
    await clock.advance(120_000);
    expect(pages()).toEqual(['OK']);
    await set('a', 'ALARM');
    await clock.advance(60_000);
    await set('release', 'ALARM'); // the release started within the wait period: this alarm was expected
    await clock.advance(120_000);
    expect(pages()).toEqual(['OK']);
    expect(transitions.filter((t) => t.changed).map((t) => t.current.state)).toEqual(['OK', 'ALARM']);
    await set('release', 'OK');
    await set('a', 'OK');
    await set('b', 'ALARM');
    await clock.advance(120_000);
    expect(pages()).toEqual(['OK', 'ALARM']);
  });

  it('keeps its state across a restart: re-evaluated against the same children, it runs no actions again', async () => {
    const before = setup();
    await before.composites.evaluateAll();
    await before.set('a', 'ALARM');
    expect(before.pages()).toEqual(['OK', 'ALARM']);
    // The runtime restarts: the children kept their states (metric alarms are kept too), and so does the composite.
    const after = setup({ stateFile: before.stateFile, clock: before.clock, children: before.children });
    expect(after.composites.describe()[0]?.status).toMatchObject({
      state: 'ALARM',
      reason: expect.stringContaining('arn:a transitioned to ALARM'),
    });
    await after.composites.evaluateAll();
    expect(after.transitions).toEqual([]);
    await after.set('a', 'OK');
    expect(after.pages()).toEqual(['OK']);
  });

  it('keeps actions that wait for the suppressor across a restart: they run when the wait ends, or are dropped', async () => {
    const before = setup({ waitMs: 120_000 });
    await before.composites.evaluateAll();
    await before.clock.advance(120_000);
    await before.set('a', 'ALARM');
    await before.clock.advance(60_000);
    const after = setup({
      waitMs: 120_000,
      stateFile: before.stateFile,
      clock: new VirtualClock({ start: before.clock.now(), rate: 0 }),
      children: before.children,
    });
    await after.composites.evaluateAll();
    await after.clock.advance(60_000);
    expect(after.pages()).toEqual(['ALARM']);
    expect(after.transitions.filter((t) => t.changed)).toEqual([]);
    // Again, and this time the suppressor goes into ALARM within the wait, after the restart.
    await after.set('a', 'OK');
    const again = setup({
      waitMs: 120_000,
      stateFile: after.stateFile,
      clock: new VirtualClock({ start: after.clock.now(), rate: 0 }),
      children: after.children,
    });
    await again.set('release', 'ALARM');
    await again.clock.advance(180_000);
    expect(again.pages()).toEqual([]);
  });

  it('starts from INSUFFICIENT_DATA when what was kept is unreadable (a crash never leaves half a file: it is renamed into place)', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'mlops-composites-')), 'composites.json');
    writeFileSync(stateFile, '{"degraded": {"status": {"sta');
    const { composites } = setup({ stateFile });
    expect(composites.describe()[0]?.status.state).toBe('INSUFFICIENT_DATA');
  });
});
