import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SET_QUESTIONS } from '../../src/commands/set-answers.js';
import { askConfirm, askSet, type SetAnswers, WizardCancelled } from '../../src/wizard/index.js';
import { FakeTerminal, KEYS } from './terminal.js';

const { enter, down, ctrlC, ctrlD, ctrlU, backspace } = KEYS;
const options = { timeout: 15_000 };
const Q = {
  mode: /How do you reach the jumphost from this machine\?/,
  name: /A name for this tunnel set, such as home:/,
  alias: /The Host alias of the jumphost in your ssh_config \(for failover, several: a,b\):/,
  jumpHost: /The jumphost \(DNS name or IP address; for failover, several: a,b\):/,
  port: /Its SSH port \(Enter for 22\):/,
  jumpUser: /Your user on the jumphost \(Enter for ssh's default\):/,
  identity: /The key to log in to the jumphost with/,
  socketDir: /The socket directory on the jumphost \(with several jumps: one, or one each\):/,
  hosts: /The hidden hosts: names or host-\* patterns, separated by spaces or commas:/,
  user: /Your login user on the hidden hosts/,
  persist: /How long to keep the jump connection open after the last session/,
};
const PERSIST_MESSAGE = 'How long to keep the jump connection open after the last session: 90s, 10m, 2h, or 0 for no sharing';
const persistPrompt = (current?: string): string =>
  current ? `${PERSIST_MESSAGE} (Backspace then Enter for tunnel-config's default, 10m): (${current})` : `${PERSIST_MESSAGE} (Enter for tunnel-config's default, 10m):`;

/** Answers `steps` in order, each typed once its prompt shows; resolves with what askSet resolved. */
async function drive(
  steps: Array<[RegExp, string]>,
  given: Partial<SetAnswers> = {},
  defaults: Partial<SetAnswers> = { socketDir: '/home/host' },
): Promise<{ answers: Partial<SetAnswers>; terminal: FakeTerminal }> {
  const terminal = new FakeTerminal();
  const asked = askSet(SET_QUESTIONS, given, defaults, terminal.context);
  for (const [prompt, keys] of steps) await terminal.typeWhen(prompt, keys);
  return { answers: await asked, terminal };
}

describe('askSet', () => {
  test('a full run for a jumphost described on the spot', options, async () => {
    const { answers, terminal } = await drive([
      [Q.mode, enter],
      [Q.name, `home${enter}`],
      [Q.jumpHost, ` jump.example.com ${enter}`],
      [Q.port, `2222${enter}`],
      [Q.jumpUser, `me${enter}`],
      [Q.identity, `~/.ssh/id_ed25519${enter}`],
      [Q.socketDir, enter],
      [Q.hosts, `host-*,pi${enter}`],
      [Q.user, `bob${enter}`],
      [Q.persist, ` 30m ${enter}`],
    ]);
    assert.deepEqual(answers, {
      name: 'home', jumpAlias: '', jumpHost: 'jump.example.com', jumpPort: '2222', jumpUser: 'me',
      identity: '~/.ssh/id_ed25519', socketDir: '/home/host', hosts: 'host-*,pi', user: 'bob', persist: '30m',
    });
    assert.doesNotMatch(terminal.screen, Q.alias);
    assert.ok(terminal.shows('✔ The hidden hosts: names or host-* patterns, separated by spaces or commas: host-*,pi'), terminal.screen);
  });

  test('an existing alias: the second choice, then no questions about the jumphost itself', options, async () => {
    const { answers, terminal } = await drive([
      [Q.mode, down],
      [/❯ an existing Host alias from my ssh_config/, enter],
      [Q.name, `home${enter}`],
      [Q.alias, `myjump${enter}`],
      [Q.socketDir, `/srv/sockets${enter}`],
      [Q.hosts, `pi nas${enter}`],
      [Q.user, enter],
      [Q.persist, enter],
    ]);
    assert.deepEqual(answers, { name: 'home', jumpHost: '', jumpAlias: 'myjump', socketDir: '/srv/sockets', hosts: 'pi nas', user: '', persist: '' });
    for (const question of [Q.jumpHost, Q.port, Q.jumpUser, Q.identity]) assert.doesNotMatch(terminal.screen, question);
  });

  test('a bad answer shows why under the prompt and is asked again; the corrected one is taken', options, async () => {
    const terminal = new FakeTerminal();
    const asked = askSet(SET_QUESTIONS, {}, { socketDir: '/home/host' }, terminal.context);
    const bad: Array<[RegExp, string, RegExp, string]> = [
      [Q.name, 'bad name', /> may not contain spaces/, 'home'],
      [Q.jumpHost, 'jump#1', /> may not contain "#"/, 'jump.example.com'],
      [Q.port, '99999', /> must be a number from 1 to 65535/, '22'],
      [Q.jumpUser, '-me', /> must be 1 to 32 letters, digits/, 'me'],
      [Q.identity, 'id_ed25519', /> must be an absolute path or start with "~\/"/, ''],
      [Q.socketDir, '/home/$(id)', /> may not contain "\$"/, '/home/host'],
      [Q.hosts, '*', /> "\*" .*claim .*host; name the hosts, e\.g\. "host-\*"/, 'host-*'],
      [Q.user, 'bob\u00e9', /> may contain only ASCII characters/, 'bob'],
      [Q.persist, '10min', /> must be seconds, or a number with s, m or h \(90s, 10m, 2h\); 0 turns sharing off/, '0'],
    ];
    await terminal.typeWhen(Q.mode, enter);
    for (const [prompt, wrong, why, right] of bad) {
      await terminal.typeWhen(prompt, `${wrong}${enter}`);
      // The wrong answer stays on the line to be fixed: clear it, then type the right one.
      await terminal.typeWhen(why, `${ctrlU}${right}${enter}`);
    }
    assert.deepEqual(await asked, {
      name: 'home', jumpAlias: '', jumpHost: 'jump.example.com', jumpPort: '22', jumpUser: 'me',
      identity: '', socketDir: '/home/host', hosts: 'host-*', user: 'bob', persist: '0',
    });
  });

  test('defaults (the current answers, for edit) are shown and taken on an empty answer', options, async () => {
    const current: SetAnswers = {
      name: 'home', jumpAlias: '', jumpHost: 'jump.example.com', jumpPort: '2222', jumpUser: 'me',
      identity: '~/.ssh/id_ed25519', socketDir: '/srv/sockets', hosts: 'host-*,pi', user: 'bob', persist: '30m',
    };
    const { answers, terminal } = await drive(
      [
        [/❯ a jumphost I describe now/, enter],
        [/The jumphost \(DNS name or IP address; for failover, several: a,b\): \(jump\.example\.com\)/, enter],
        [/Its SSH port \(Backspace then Enter for 22\): \(2222\)/, enter],
        [/Your user on the jumphost \(Backspace then Enter for ssh's default\): \(me\)/, enter],
        [/\(~\/\.ssh\/id_ed25519\)/, enter],
        [/The socket directory on the jumphost \(with several jumps: one, or one each\): \(\/srv\/sockets\)/, enter],
        [/\(host-\*,pi\)/, `nas${enter}`],
        // Backspace on an empty answer drops the default: the optional user becomes unset.
        [/Your login user on the hidden hosts \(Backspace then Enter for ssh's default\):.*\(bob\)/, `${backspace}${enter}`],
        [/10m\): \(30m\)/, enter],
      ],
      { name: 'home' },
      current,
    );
    assert.deepEqual(answers, { ...current, hosts: 'nas', user: '' });
    assert.doesNotMatch(terminal.screen, Q.name, 'an answer given as a flag is not asked');
  });

  test('an alias as the current answer makes it the default choice', options, async () => {
    const { answers } = await drive([[/❯ an existing Host alias/, enter], [/\(myjump\)/, enter], [Q.socketDir, enter], [/\(pi\)/, enter], [Q.user, enter], [Q.persist, enter]], { name: 'home' }, {
      name: 'home', jumpAlias: 'myjump', jumpHost: '', socketDir: '/home/host', hosts: 'pi', user: '', persist: '',
    });
    assert.deepEqual(answers, { name: 'home', jumpHost: '', jumpAlias: 'myjump', socketDir: '/home/host', hosts: 'pi', user: '', persist: '' });
  });

  test('answers given as flags are not asked', options, async () => {
    const { answers, terminal } = await drive(
      [[Q.port, enter], [Q.jumpUser, enter], [Q.identity, enter], [Q.socketDir, enter], [Q.user, enter]],
      { name: 'home', jumpHost: 'jump.example.com', hosts: 'pi', persist: '0' },
    );
    assert.deepEqual(answers, { name: 'home', jumpHost: 'jump.example.com', hosts: 'pi', persist: '0', jumpPort: '', jumpUser: '', identity: '', socketDir: '/home/host', user: '' });
    for (const question of [Q.mode, Q.name, Q.alias, Q.jumpHost, Q.hosts, Q.persist]) assert.doesNotMatch(terminal.screen, question);
  });

  const cancels: Array<[string, (terminal: FakeTerminal) => Promise<void>]> = [
    ['Ctrl-C', (t) => t.typeWhen(Q.jumpHost, `jump${ctrlC}`)],
    ['Ctrl-D on an empty answer', (t) => t.typeWhen(Q.jumpHost, ctrlD)],
    [
      'the input closing',
      async (t) => {
        await t.waitFor(Q.jumpHost);
        t.input.end();
      },
    ],
  ];
  for (const [what, cancel] of cancels) {
    test(`${what} at the third question: rejects with WizardCancelled, nothing more is asked`, options, async () => {
      const terminal = new FakeTerminal();
      const asked = askSet(SET_QUESTIONS, {}, {}, terminal.context);
      await terminal.typeWhen(Q.mode, enter);
      await terminal.typeWhen(Q.name, `home${enter}`);
      await cancel(terminal);
      await assert.rejects(asked, WizardCancelled);
      assert.doesNotMatch(terminal.screen, Q.port);
    });
  }

  test('Ctrl-D in the middle of an answer does not cancel', options, async () => {
    const terminal = new FakeTerminal();
    const asked = askSet(SET_QUESTIONS, { jumpAlias: 'myjump', hosts: 'pi', socketDir: '/home/host', user: '', persist: '' }, {}, terminal.context);
    await terminal.typeWhen(Q.name, `home${ctrlD}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    terminal.input.write(enter);
    assert.deepEqual(await asked, { name: 'home', jumpAlias: 'myjump', hosts: 'pi', socketDir: '/home/host', user: '', persist: '' });
  });
});

describe('the --persist question', () => {
  const rest = { name: 'home', jumpAlias: 'myjump', socketDir: '/home/host', hosts: 'pi', user: '' };
  const cases: Array<[string, string, Partial<SetAnswers>, string]> = [
    ['add: Enter keeps the default (unset)', enter, {}, ''],
    ['add: a time', `2h${enter}`, {}, '2h'],
    ['add: 0 turns sharing off', `0${enter}`, {}, '0'],
    ['add: "default" is taken as asking for the default', `default${enter}`, {}, 'default'],
    ['edit: Enter keeps the current value', enter, { persist: '30m' }, '30m'],
    ['edit: a new time replaces it', `90s${enter}`, { persist: '30m' }, '90s'],
    ['edit: the default dropped, an empty answer means the default again', `${backspace}${enter}`, { persist: '30m' }, ''],
  ];
  for (const [what, keys, defaults, persist] of cases) {
    test(what, options, async () => {
      const { answers, terminal } = await drive([[Q.persist, keys]], rest, defaults);
      assert.deepEqual(answers, { ...rest, persist });
      assert.ok(terminal.shows(`? ${persistPrompt(defaults.persist)}`), terminal.screen);
    });
  }

  test('is data, like the others: the last question, validated by the proxy\'s own rule', () => {
    const question = SET_QUESTIONS.at(-1);
    assert.equal(question?.key, 'persist');
    assert.equal(question.message, PERSIST_MESSAGE);
    assert.equal(question.when, undefined, 'always asked');
    for (const good of ['', 'default', '0', '90', '90s', '10m', '2h']) assert.equal(question.validate(good, {}), undefined, good);
    for (const bad of ['10min', '1d', '-1', 'off', '10 m']) assert.equal(typeof question.validate(bad, {}), 'string', bad);
  });

  test('every time the proxy refuses is refused at the prompt, saying what it takes', options, async () => {
    const terminal = new FakeTerminal();
    const asked = askSet(SET_QUESTIONS, rest, {}, terminal.context);
    for (const wrong of ['10min', '1d', '-5m', '1.5h', 'off']) {
      await terminal.typeWhen(/How long to keep|> must be seconds/, `${ctrlU}${wrong}${enter}`);
      await terminal.waitFor(/> must be seconds, or a number with s, m or h \(90s, 10m, 2h\); 0 turns sharing off/);
    }
    terminal.input.write(`${ctrlU}5m${enter}`);
    assert.deepEqual(await asked, { ...rest, persist: '5m' });
  });
});

describe('askConfirm', () => {
  const cases: Array<[string, string, boolean | typeof WizardCancelled]> = [
    ['Enter takes the default, yes', enter, true],
    ['y', `y${enter}`, true],
    ['n', `n${enter}`, false],
    ['Ctrl-C cancels', ctrlC, WizardCancelled],
  ];
  for (const [what, keys, expected] of cases) {
    test(what, options, async () => {
      const terminal = new FakeTerminal();
      const asked = askConfirm('Write this change to ~/.ssh/config?', terminal.context);
      await terminal.typeWhen(/Write this change to ~\/\.ssh\/config\? \(Y\/n\)/, keys);
      if (expected === WizardCancelled) await assert.rejects(asked, WizardCancelled);
      else assert.equal(await asked, expected);
    });
  }
});
