import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SET_QUESTIONS, toTunnelSet, withDefaults } from '../../src/commands/set-answers.js';
import { askSet, promptText, type SetAnswers } from '../../src/wizard/index.js';
import { FakeTerminal, KEYS } from './terminal.js';

const { enter, backspace } = KEYS;
const options = { timeout: 15_000 };
const question = (key: keyof SetAnswers) => SET_QUESTIONS.find((q) => q.key === key) ?? assert.fail(key);

/** Asks the one question `key` (every other answer given), typing each step's keys once its pattern shows. */
async function askOne(key: keyof SetAnswers, steps: Array<[RegExp, string]>, defaults: Partial<SetAnswers> = {}): Promise<{ answer: string | undefined; terminal: FakeTerminal }> {
  const given: Partial<SetAnswers> = { name: 'home', jumpAlias: '', jumpHost: 'jump.example.com', jumpPort: '', jumpUser: '', identity: '', socketDir: '/home/host', hosts: 'pi', user: '', persist: '' };
  delete given[key];
  if (key === 'jumpAlias') Object.assign(given, { jumpHost: '', jumpAlias: undefined });
  const terminal = new FakeTerminal();
  const asked = askSet(SET_QUESTIONS, given, defaults, terminal.context);
  for (const [pattern, keys] of steps) await terminal.typeWhen(pattern, keys);
  return { answer: (await asked)[key], terminal };
}

const PROMPT = /\? .*:/;

describe('what the wizard says is what it does', () => {
  test('the first question asks how you reach the jumphost, not how the hosts do', options, async () => {
    const terminal = new FakeTerminal();
    const asked = askSet(SET_QUESTIONS, {}, {}, terminal.context);
    await terminal.typeWhen(/How do you reach the jumphost from this machine\?/, KEYS.ctrlC);
    await assert.rejects(asked);
    assert.doesNotMatch(terminal.screen, /the hosts reach/);
  });

  test('examples are words, never in parentheses (where defaults show) or "e.g."; no prompt says "empty for"', () => {
    for (const q of SET_QUESTIONS) {
      for (const text of [promptText(q, ''), promptText(q, 'current')]) {
        assert.doesNotMatch(text, /e\.g\.|\bempty\b/, text);
        assert.doesNotMatch(text, /\((home|host-\*|pi|10m)\b/, text);
      }
    }
  });

  for (const key of ['name', 'jumpAlias', 'jumpHost', 'socketDir', 'hosts'] as const) {
    test(`${key}: Enter with nothing typed and no default says there is no default, and asks again`, options, async () => {
      const typed = { name: 'home', jumpAlias: 'gw', jumpHost: 'jump.example.com', socketDir: '/srv/s', hosts: 'pi' }[key];
      const { answer, terminal } = await askOne(key, [[PROMPT, enter], [/> type an answer: this question has no default/, `${typed}${enter}`]], {});
      assert.equal(answer, typed);
      assert.ok(terminal.shows(`${question(key).message}:`), terminal.screen);
      assert.match(terminal.screen, /> type an answer: this question has no default/);
    });
  }

  const optional: Array<[keyof SetAnswers, string, string]> = [
    ['jumpPort', '22', '2222'],
    ['jumpUser', "ssh's default", 'me'],
    ['identity', "ssh's defaults", '~/.ssh/id_ed25519'],
    ['user', "ssh's default", 'bob'],
    ['persist', "tunnel-config's default, 10m", '30m'],
  ];
  for (const [key, empty, current] of optional) {
    test(`${key}, nothing current: "(Enter for ${empty})", and Enter gives it`, options, async () => {
      const { answer, terminal } = await askOne(key, [[PROMPT, enter]]);
      assert.equal(answer, '');
      assert.ok(terminal.shows(`? ${question(key).message} (Enter for ${empty}):`), terminal.screen);
    });
    test(`${key}, ${current} current (edit): Enter keeps ${current}; "(Backspace then Enter for ${empty})" does that`, options, async () => {
      const kept = await askOne(key, [[PROMPT, enter]], { [key]: current });
      assert.equal(kept.answer, current);
      assert.ok(kept.terminal.shows(`? ${question(key).message} (Backspace then Enter for ${empty}): (${current})`), kept.terminal.screen);
      const dropped = await askOne(key, [[PROMPT, backspace], [/:\s*$/, enter]], { [key]: current });
      assert.equal(dropped.answer, '');
    });
  }

  test('the hosts question says spaces or commas, and both (and a mix) give the same hosts', options, async () => {
    assert.match(question('hosts').message, /separated by spaces or commas/);
    const program = { nodePath: '/usr/bin/node', proxyPath: '/usr/bin/tunnel-config' };
    for (const hosts of ['pi nas host-*', 'pi,nas,host-*', 'pi, nas  host-*']) {
      const { answer } = await askOne('hosts', [[PROMPT, `${hosts}${enter}`]]);
      assert.equal(answer, hosts);
      const set = toTunnelSet(withDefaults({ name: 'home', jumpAlias: 'gw', hosts: answer ?? '' }, {}), program.proxyPath, undefined, program);
      assert.deepEqual(set.hosts, ['pi', 'nas', 'host-*'], hosts);
    }
  });
});
