import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type PlacePolicy, placeSet, planPlacement } from '../../src/commands/place-set.js';
import { findManagedBlocks } from '../../src/sshconfig/markers.js';
import { parseTunnelSet } from '../../src/sshconfig/parse.js';
import { renderProxyCommand } from '../../src/sshconfig/render.js';
import { removeTunnelSet } from '../../src/sshconfig/splice.js';
import type { TunnelSet } from '../../src/sshconfig/types.js';
import { fixtureDir } from '../sshconfig/fixtures.js';
import { hasSsh, sshG } from '../sshconfig/openssh.js';

/** Moving over from the seed recipe: fixtures/sshconfig/migrate/cases.json says what each case is. */
export const migrateDir = join(fixtureDir, 'migrate');
const CONFIG = '/home/me/.ssh/config';
/** A fixture's text, with @FIXTURES@ (used by Include lines) made the real directory. */
export const readMigrateFixture = (file: string): string => readFileSync(join(migrateDir, file), 'utf8').replaceAll('@FIXTURES@', migrateDir);

interface Case {
  input: string;
  set: string;
  policy: Array<keyof PlacePolicy>;
  expected?: string;
  ssh?: Record<string, string>;
  refused?: string;
  fixes?: Array<keyof PlacePolicy>;
}

const { sets, cases } = JSON.parse(readFileSync(join(migrateDir, 'cases.json'), 'utf8')) as { sets: Record<string, TunnelSet>; cases: Case[] };
const env = { ...process.env };
const policyOf = (flags: Case['policy']): PlacePolicy => ({ adopt: flags.includes('adopt'), placeBefore: flags.includes('placeBefore') });

/** The ProxyCommand ssh must resolve for a host that `owner` (a set in `text`) serves. */
function proxyCommandOf(text: string, owner: string): string {
  const block = findManagedBlocks(text).find((found) => found.name === owner);
  assert.ok(block, `no block "${owner}"`);
  return renderProxyCommand(parseTunnelSet(block));
}

describe('placeSet on the seed recipe and on overlapping sets', { skip: !hasSsh && 'no ssh client' }, () => {
  for (const c of cases) {
    const name = `${c.input}, ${c.set}${c.policy.length > 0 ? `, ${c.policy.join(' and ')}` : ''}`;
    const set = sets[c.set];
    assert.ok(set);
    const input = readMigrateFixture(`${c.input}.input`);
    if (c.refused !== undefined) {
      test(`${name}: refused before anything is written, naming the line, the hosts and the fixes`, () => {
        const refusal = planPlacement(input, set, policyOf(c.policy), CONFIG, env);
        assert.ok('message' in refusal, 'refused');
        const message = c.refused?.replaceAll('CONFIG', CONFIG).replaceAll('@FIXTURES@', migrateDir);
        assert.equal(refusal.message, message);
        assert.deepEqual(refusal.fixes.map(({ fix }) => fix), c.fixes);
        assert.throws(() => placeSet(input, set, policyOf(c.policy), CONFIG, env), (error: Error) => error.message.startsWith(`${message}; nothing was written`));
      });
      continue;
    }
    test(`${name}: the bytes, ssh -G for each host, and remove giving back the input`, () => {
      const placement = placeSet(input, set, policyOf(c.policy), CONFIG, env);
      const expected = readMigrateFixture(c.expected ?? '');
      assert.equal(placement.text, expected);
      for (const [host, owner] of Object.entries(c.ssh ?? {})) {
        const after = sshG(expected, host);
        assert.ok('options' in after, `${host}: ${'error' in after ? after.error : ''}`);
        if (owner === 'same') {
          const before = sshG(input, host);
          assert.ok('options' in before);
          assert.equal(after.output, before.output, `${host} resolves as before`);
        } else {
          assert.equal(after.options.get('proxycommand'), proxyCommandOf(expected, owner), `${host} goes through "${owner}"`);
        }
      }
      assert.equal(removeTunnelSet(expected, set.name), input, 'remove gives back the input');
    });
  }
});
