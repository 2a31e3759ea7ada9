import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseProvisioningText } from '../../testing/provisioningText.js';
import { carryLastGood, createProvisioningParser, knownKeysAt, sectionOf, sectionOfClaimedEntries, sectionOfIndependentEntries, unknownFieldMessage, wholeSection } from './provisioning.js';
import { secretRefFields, secretRefOf, secretRefRules } from './provisioningFields.js';

const FILE = '/etc/overlook/overlook.yaml';

function problemsOf(text: string) {
  const parsed = parseProvisioningText(text, FILE);
  expect(parsed.config).toBeNull();
  return parsed.problems;
}

describe('parseProvisioningText: a valid file', () => {
  it('maps settings to the contract and names the provisioned fields', () => {
    const text = ['version: 1', 'settings:', '  poll_interval: 10s', '  retention:', '    raw: 2d', '    minute: 60d', '    hour: 730d', ''].join('\n');
    // objectContaining: every other section (export, alerts…) reads as absent here and has tests of its own.
    expect(parseProvisioningText(text, FILE)).toEqual({
      config: expect.objectContaining({
        file: FILE,
        baseDir: '/etc/overlook',
        version: 1,
        settings: { pollIntervalMs: 10_000, retention: { rawHours: 48, minuteDays: 60, hourDays: 730 } },
        provisionedFields: ['pollIntervalMs', 'retention'],
      }),
      problems: [],
    });
  });

  it('reads a bare poll interval as seconds and leaves unset fields out', () => {
    const parsed = parseProvisioningText('settings:\n  poll_interval: 3\n', FILE);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config?.settings).toEqual({ pollIntervalMs: 3000 });
    expect(parsed.config?.provisionedFields).toEqual(['pollIntervalMs']);
  });

  it('keeps a partial retention partial, for the core to merge over saved settings', () => {
    const parsed = parseProvisioningText('settings:\n  retention:\n    raw: 90m\n', FILE);
    expect(parsed.config?.settings).toEqual({ retention: { rawHours: 1.5 } });
    expect(parsed.config?.provisionedFields).toEqual(['retention']);
  });

  it('accepts an empty file or one with only comments as "nothing provisioned"', () => {
    for (const text of ['', '# nothing yet\n', 'version: 1\nsettings:\n  # poll_interval: 5s\n']) {
      expect(parseProvisioningText(text, FILE)).toEqual({
        config: expect.objectContaining({ file: FILE, baseDir: '/etc/overlook', version: 1, settings: {}, provisionedFields: [], export: null }),
        problems: [],
      });
    }
  });

  it('accepts the shipped example file', () => {
    const example = fileURLToPath(new URL('../../../resources/overlook.example.yaml', import.meta.url));
    const parsed = parseProvisioningText(fs.readFileSync(example, 'utf8'), example);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config?.settings).toEqual({ pollIntervalMs: 5000, retention: { rawHours: 48, minuteDays: 30, hourDays: 365 } });
    expect(parsed.config?.baseDir).toBe(path.dirname(example));
    // A host's container engine socket, when it is not a usual one
    expect(parsed.config?.hosts?.find((h) => h.name === 'web-1')?.engineSocket).toBe('/run/user/1000/docker.sock');
    // A threshold written in the metric's display unit
    expect(parsed.config?.alerts?.find((a) => a.name === 'memory nearly full')).toMatchObject({ threshold: 0.95 });
    // A cloud rule in percent, with a window past the cloud's delay; both channels of the example
    expect(parsed.config?.alerts?.find((a) => a.name === 'cloud CPU busy')).toMatchObject({ threshold: 0.9, window: 600_000 });
    expect(parsed.config?.channels?.map((c) => [c.name, c.type])).toEqual([
      ['oncall', 'dingtalk'],
      ['ops-hook', 'webhook'],
    ]);
    const relative = parseProvisioningText('hosts:\n  - name: a\n    address: u@a\n    agent: true\n    engine_socket: docker.sock\n', FILE);
    expect(relative.problems[0]).toMatchObject({ line: 5, field: 'hosts[0].engine_socket', message: expect.stringMatching(/absolute path of a unix socket/) });
  });
});

describe('parseProvisioningText: problems name the file, line, column and field', () => {
  it('a wrong type', () => {
    expect(problemsOf('settings:\n  retention: 30d\n')).toEqual([
      { file: FILE, line: 2, column: 14, field: 'settings.retention', message: 'must be a mapping, not text' },
    ]);
  });

  it('a list where a duration belongs', () => {
    expect(problemsOf('settings:\n  poll_interval: [5s]\n')).toEqual([
      { file: FILE, line: 2, column: 18, field: 'settings.poll_interval', message: 'must be a duration like 5s, 2m, 48h or 30d, not a list' },
    ]);
  });

  it('an empty value points at its key', () => {
    expect(problemsOf('settings:\n  poll_interval:\n')).toEqual([
      { file: FILE, line: 2, column: 3, field: 'settings.poll_interval', message: expect.stringMatching(/not an empty value/) },
    ]);
  });

  it('an unknown key, with a suggestion', () => {
    expect(problemsOf('version: 1\nsetings:\n  poll_interval: 5s\n')).toEqual([
      { file: FILE, line: 2, column: 1, field: 'setings', message: 'unknown field `setings` — did you mean `settings`?' },
    ]);
  });

  it('an unknown nested key, with the fields that would fit when nothing is close', () => {
    expect(problemsOf('settings:\n  retention:\n    raw: 48h\n    daily: 30d\n')).toEqual([
      { file: FILE, line: 4, column: 5, field: 'settings.retention.daily', message: 'unknown field `daily`; expected one of: raw, minute, hour' },
    ]);
  });

  it('a bad duration', () => {
    expect(problemsOf('settings:\n  retention:\n    raw: 48x\n')).toEqual([
      { file: FILE, line: 3, column: 10, field: 'settings.retention.raw', message: 'unknown unit `x` in `48x`; use ms, s, m, h, d or w' },
    ]);
  });

  it('a duration without a unit where one is required', () => {
    expect(problemsOf('settings:\n  retention:\n    minute: 30\n')).toEqual([
      { file: FILE, line: 3, column: 13, field: 'settings.retention.minute', message: '`30` has no unit; write it like 30h or 30d' },
    ]);
  });

  it('a duration outside the bounds the contract allows', () => {
    expect(problemsOf('settings:\n  poll_interval: 500ms\n  retention:\n    raw: 31d\n')).toEqual([
      { file: FILE, line: 2, column: 18, field: 'settings.poll_interval', message: 'must be between 1s and 1h (got 500ms)' },
      { file: FILE, line: 4, column: 10, field: 'settings.retention.raw', message: 'must be between 1h and 30d (got 31d)' },
    ]);
  });

  it('an unsupported version', () => {
    expect(problemsOf('version: 2\n')).toEqual([
      { file: FILE, line: 1, column: 10, field: 'version', message: 'unsupported version; this console reads version 1' },
    ]);
  });

  it('a YAML syntax error, without quoting the line', () => {
    expect(problemsOf('settings:\n\tpoll_interval: 5s\n')).toEqual([{ file: FILE, line: 2, column: 1, message: 'Tabs are not allowed as indentation' }]);
    // An unclosed flow mapping is only noticed where the file ends.
    const problems = problemsOf('settings:\n  poll_interval: 5s\n  retention: {raw: 48h\n');
    expect(problems[0]).toMatchObject({ file: FILE, line: 4, column: 1 });
    for (const problem of problems) expect(problem.message).not.toMatch(/\n|48h/);
  });

  it('a duplicated key', () => {
    expect(problemsOf('settings:\n  poll_interval: 5s\n  poll_interval: 6s\n')).toEqual([
      { file: FILE, line: 3, column: 3, message: 'Map keys must be unique' },
    ]);
  });

  it('a file that is not a mapping', () => {
    expect(problemsOf('- settings\n')).toEqual([
      { file: FILE, line: 1, column: 1, message: 'the file must be a mapping of sections, like `settings:`' },
    ]);
  });

  it('a plaintext secret in a whole section (settings:) refuses the file, without echoing it', () => {
    const problems = problemsOf('settings:\n  poll_interval: 5s\n  access_key_secret: hunter2-do-not-print\n');
    expect(problems).toEqual([
      {
        file: FILE,
        line: 3,
        column: 3,
        field: 'settings.access_key_secret',
        message:
          '`access_key_secret` would keep a secret in plaintext in the file; use `access_key_secret_env` (the name of an environment variable) or `access_key_secret_file` (the path of a file holding it) instead',
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('a plaintext secret in a list entry (hosts:) leaves out that entry only, without echoing it; the rest of the file applies', () => {
    const text = [
      'settings:',
      '  poll_interval: 10s',
      'hosts:',
      '  - name: web-1',
      '    address: deploy@web-1:22',
      '    agent: true',
      '  - name: web-2',
      '    address: deploy@web-2:22',
      '    agent: true',
      '    password: hunter2-do-not-print',
      '  - name: web-3',
      '    address: deploy@web-3:22',
      '    password_env: WEB3_PASSWORD',
      '',
    ].join('\n');
    const parsed = parseProvisioningText(text, FILE);
    expect(parsed.config?.hosts.map((h) => h.name)).toEqual(['web-1', 'web-3']);
    expect(parsed.config?.settings).toEqual({ pollIntervalMs: 10_000 });
    expect(parsed.problems).toEqual([
      {
        file: FILE,
        line: 10,
        column: 5,
        field: 'hosts[1].password',
        message: '`password` would keep a secret in plaintext in the file; use `password_env` (the name of an environment variable) or `password_file` (the path of a file holding it) instead',
      },
    ]);
    expect(JSON.stringify(parsed)).not.toContain('hunter2');
  });

  it('a plaintext secret in an entry with other problems reports them all, and the entry stays out', () => {
    const parsed = parseProvisioningText('clouds:\n  - name: a\n    provider: aliyun\n    regions: []\n    access_key_id_env: A\n    access_key_secret: oops-oops\n', FILE);
    expect(parsed.config?.clouds).toEqual([]);
    expect(parsed.problems.map((p) => p.field)).toEqual(['clouds[0].access_key_secret', 'clouds[0].regions', 'clouds[0]']);
    expect(JSON.stringify(parsed.problems)).not.toContain('oops');
  });

  it('a plaintext secret inside a list entry of a section this version does not know yet', () => {
    const problems = problemsOf('dashboards:\n  - name: web-1\n    password: hunter2\n');
    expect(problems).toContainEqual(expect.objectContaining({ line: 3, column: 5, field: 'dashboards[0].password', message: expect.stringContaining('`password_env`') }));
    expect(problems).toContainEqual(expect.objectContaining({ line: 1, column: 1, field: 'dashboards', message: expect.stringMatching(/^unknown field `dashboards`/) }));
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('reports every problem at once, not only the first', () => {
    expect(problemsOf('settings:\n  poll_interval: 5q\n  retention:\n    raw: x\n  colour: red\n')).toHaveLength(3);
  });
});

describe('sections built from the shared helpers (the shape later sections take)', () => {
  const Channel = z
    .strictObject({ name: z.string(), url: z.string().optional(), ...secretRefFields('secret'), ...secretRefFields('url') })
    .superRefine(secretRefRules(['secret', 'url']))
    .transform((channel) => ({ name: channel.name, secret: secretRefOf(channel, 'secret'), url: channel.url ?? secretRefOf(channel, 'url') }));
  const Export = z.strictObject({ listen: z.string(), ...secretRefFields('token') }).superRefine(secretRefRules(['token'], ['token']));
  const channels = sectionOfIndependentEntries('channels', Channel);
  const exportSection = wholeSection('export', Export.optional(), () => undefined);
  const parse = createProvisioningParser([channels, exportSection]);

  it('reads `_env` and `_file` references', () => {
    const text = 'channels:\n  - name: a\n    secret_env: DING_SECRET\n    url_file: ./ding.url\nexport:\n  listen: 127.0.0.1:9309\n  token_file: token\n';
    const parsed = parse(text, FILE);
    expect(parsed.problems).toEqual([]);
    expect((parsed.config && sectionOf(parsed.config, channels))).toEqual([{ name: 'a', secret: { env: 'DING_SECRET' }, url: { file: './ding.url' } }]);
    expect((parsed.config && sectionOf(parsed.config, exportSection))).toEqual({ listen: '127.0.0.1:9309', token_file: 'token' });
  });

  it('drops only the bad entry of an independent list, and says why', () => {
    const text = 'channels:\n  - name: good\n  - name: bad\n    secret_env: A\n    secret_file: b\n  - name: 3\n  - name: also-good\n';
    const parsed = parse(text, FILE);
    expect((parsed.config && sectionOf(parsed.config, channels))?.map((c) => c.name)).toEqual(['good', 'also-good']);
    expect(parsed.problems).toEqual([
      { file: FILE, line: 5, column: 18, field: 'channels[1].secret_file', message: 'give either `secret_env` or `secret_file`, not both' },
      { file: FILE, line: 6, column: 11, field: 'channels[2].name', message: 'must be text, not a number' },
    ]);
  });

  it('rejects a whole section with a missing required secret', () => {
    const parsed = parse('export:\n  listen: 127.0.0.1:9309\n', FILE);
    expect(parsed.config).toBeNull();
    expect(parsed.problems).toEqual([{ file: FILE, line: 2, column: 3, field: 'export', message: 'needs `token_env` (an environment variable\'s name) or `token_file` (a file path)' }]);
  });

  it('refuses a value that is not an environment variable name, without echoing it', () => {
    const parsed = parse('channels:\n  - name: a\n    secret_env: "s3cr3t value!"\n', FILE);
    expect((parsed.config && sectionOf(parsed.config, channels))).toEqual([]);
    expect(parsed.problems).toEqual([
      { file: FILE, line: 3, column: 17, field: 'channels[0].secret_env', message: expect.stringMatching(/^is not an environment variable name/) },
    ]);
    expect(JSON.stringify(parsed.problems)).not.toContain('s3cr3t');
  });

  // Sections whose schema would take any key (a map of headers): only the
  // parser's own check stands between a secret and the configuration.
  const Webhook = z.object({ name: z.string(), url: z.string(), headers: z.record(z.string(), z.string()).optional() });
  const webhooks = sectionOfIndependentEntries('webhooks', Webhook);
  const proxy = wholeSection('proxy', z.object({ url: z.string(), headers: z.record(z.string(), z.string()).optional() }).optional(), () => undefined);
  const lenient = createProvisioningParser([webhooks, proxy]);

  it('leaves out a list entry holding a plaintext secret even where its schema would take the key, and keeps the others', () => {
    const text = 'webhooks:\n  - name: a\n    url: https://a.example\n  - name: b\n    url: https://b.example\n    headers:\n      api_token: hunter2\n  - name: c\n    url: https://c.example\n';
    const parsed = lenient(text, FILE);
    expect(parsed.config && sectionOf(parsed.config, webhooks).map((w) => w.name)).toEqual(['a', 'c']);
    expect(parsed.problems).toEqual([{ file: FILE, line: 7, column: 7, field: 'webhooks[1].headers.api_token', message: expect.stringContaining('`api_token_env`') }]);
    expect(JSON.stringify(parsed)).not.toContain('hunter2');
  });

  it('on a reload, keeps the last good definition of an entry that now holds a plaintext secret, naming it', () => {
    const before = lenient('webhooks:\n  - name: a\n    url: https://a.example\n  - name: b\n    url: https://b.example\n', FILE).config!;
    const after = lenient('webhooks:\n  - name: a\n    url: https://a2.example\n  - name: b\n    url: https://b2.example\n    headers:\n      api_token: hunter2\n', FILE).config!;
    const { config, problems } = carryLastGood(before, after);
    expect(sectionOf(config, webhooks)).toEqual([
      { name: 'a', url: 'https://a2.example' },
      { name: 'b', url: 'https://b.example' },
    ]);
    expect(problems).toEqual([{ file: FILE, field: 'webhooks', message: expect.stringMatching(/^b: .*last good definition stays in effect/) }]);
    expect(JSON.stringify({ config, problems })).not.toContain('hunter2');
  });

  it('refuses the file for a plaintext secret in a whole section even where its schema would take the key', () => {
    const text = 'proxy:\n  url: http://proxy.example:3128\n  headers:\n    proxy_password: hunter2\nwebhooks:\n  - name: a\n    url: https://a.example\n';
    const parsed = lenient(text, FILE);
    expect(parsed.config).toBeNull();
    expect(parsed.problems).toEqual([{ file: FILE, line: 4, column: 5, field: 'proxy.headers.proxy_password', message: expect.stringContaining('`proxy_password_file`') }]);
    expect(JSON.stringify(parsed)).not.toContain('hunter2');
  });

  it('suggests field names inside list entries', () => {
    const parsed = parse('channels:\n  - nmae: a\n', FILE);
    expect(parsed.problems).toContainEqual({ file: FILE, line: 2, column: 5, field: 'channels[0].nmae', message: 'unknown field `nmae` — did you mean `name`?' });
  });
});

describe('the words and places of problems', () => {
  it('suggests the closest known field within a third of the key (at least one edit), the first of equals, a swap as one edit', () => {
    expect(unknownFieldMessage('hst', ['host'])).toBe('unknown field `hst` — did you mean `host`?');
    expect(unknownFieldMessage('ab', ['abc'])).toBe('unknown field `ab` — did you mean `abc`?');
    expect(unknownFieldMessage('rtntion', ['retention'])).toBe('unknown field `rtntion` — did you mean `retention`?');
    expect(unknownFieldMessage('rtnton', ['retention'])).toBe('unknown field `rtnton`; expected one of: retention');
    expect(unknownFieldMessage('nam', ['name', 'nap'])).toBe('unknown field `nam` — did you mean `name`?');
    expect(unknownFieldMessage('TOKNE', ['token'])).toBe('unknown field `TOKNE` — did you mean `token`?');
    // Three swapped neighbours are three edits: too far from a six-letter key.
    expect(unknownFieldMessage('abcdef', ['badcfe'])).toBe('unknown field `abcdef`; expected one of: badcfe');
    expect(unknownFieldMessage('xyz', ['url', 'name'])).toBe('unknown field `xyz`; expected one of: url, name');
    expect(unknownFieldMessage('xyz', [])).toBe('unknown field `xyz`');
    // Six letters before a known name are six edits, wherever they stand.
    expect(unknownFieldMessage('zzzzzzhost', ['host'])).toBe('unknown field `zzzzzzhost`; expected one of: host');
    expect(unknownFieldMessage('host', ['zzzzzzhost'])).toBe('unknown field `host`; expected one of: zzzzzzhost');
  });

  it('finds the fields that fit through optional, nullable, default, prefault, readonly, catch and nonoptional, lists and pipes', () => {
    const inner = z.object({ b: z.string(), c: z.number() });
    for (const wrapped of [
      inner.optional(),
      inner.nullable(),
      inner.default({ b: '', c: 0 }),
      inner.prefault({ b: '', c: 0 }),
      inner.readonly(),
      inner.catch({ b: '', c: 0 }),
      inner.optional().nonoptional(),
      inner.transform((v) => v),
    ]) {
      expect(knownKeysAt(z.object({ a: wrapped }), ['a'])).toEqual(['b', 'c']);
    }
    expect(knownKeysAt(z.object({ list: z.array(inner) }), ['list', 3])).toEqual(['b', 'c']);
    expect(knownKeysAt(z.object({ a: z.string() }), ['a'])).toEqual([]);
    expect(knownKeysAt(z.object({ a: z.string() }), ['a', 'deeper'])).toEqual([]);
    expect(knownKeysAt(z.array(inner), [])).toEqual([]);
  });

  it('says a required field is missing, with what it should be', () => {
    const parse = createProvisioningParser([sectionOfIndependentEntries('channels', z.strictObject({ name: z.string(), port: z.number().optional() }))]);
    const parsed = parse('channels:\n  - port: 5\n  - name: ok\n    port: [1]\n', FILE);
    expect(parsed.problems).toEqual([
      { file: FILE, line: 2, column: 5, field: 'channels[0].name', message: 'is required (text)' },
      { file: FILE, line: 4, column: 11, field: 'channels[1].port', message: 'must be a number, not a list' },
    ]);
  });

  it('points at the list item itself when an item is not a mapping, and names the entry that failed', () => {
    const parse = createProvisioningParser([sectionOfIndependentEntries('channels', z.strictObject({ name: z.string(), port: z.number() }))]);
    const parsed = parse('channels:\n  - name: ok\n    port: 1\n  - 3\n  - name: broken\n', FILE);
    expect(parsed.problems).toEqual([
      { file: FILE, line: 4, column: 5, field: 'channels[1]', message: 'must be a mapping, not a number' },
      { file: FILE, line: 5, column: 5, field: 'channels[2].port', message: 'is required (a number)' },
    ]);
    expect(parsed.config?.failedEntries).toEqual({ channels: ['broken'] });
  });
});

describe('a list shared by several kinds of entry', () => {
  // Like `hosts:`, where an entry with a `url` is one kind and every other entry the other.
  const Scraped = z.strictObject({ name: z.string(), url: z.string() });
  const Ssh = z.strictObject({ name: z.string(), address: z.string() });
  const scraped = sectionOfClaimedEntries('hosts', 'scraped', (e) => typeof e === 'object' && e !== null && 'url' in e, Scraped);
  const ssh = sectionOfIndependentEntries('hosts', Ssh);

  it('gives each entry to the kind that claims it and the rest to the one that claims nothing, whatever order they are declared in', () => {
    const text = 'hosts:\n  - name: a\n    address: 10.0.0.1\n  - name: b\n    url: http://b:9100\n  - name: c\n    adress: 10.0.0.3\n';
    for (const order of [
      [ssh, scraped],
      [scraped, ssh],
    ]) {
      const parsed = createProvisioningParser(order)(text, FILE);
      expect(parsed.config && sectionOf(parsed.config, scraped)).toEqual([{ name: 'b', url: 'http://b:9100' }]);
      expect(parsed.config && sectionOf(parsed.config, ssh)).toEqual([{ name: 'a', address: '10.0.0.1' }]);
      // The unknown key is named against the fields of the kind the entry went to.
      expect(parsed.problems).toContainEqual({ file: FILE, line: 7, column: 5, field: 'hosts[2].adress', message: 'unknown field `adress` — did you mean `address`?' });
      expect(parsed.config?.failedEntries).toEqual({ hosts: ['c'] });
    }
  });

  it('both kinds are empty lists when the file has no such list', () => {
    const parsed = createProvisioningParser([scraped, ssh])('version: 1\n', FILE);
    expect(parsed.config && [sectionOf(parsed.config, scraped), sectionOf(parsed.config, ssh)]).toEqual([[], []]);
  });

  it('an entry no kind claims, when every kind claims its own, is reported at the entry and left out', () => {
    const other = sectionOfClaimedEntries('hosts', 'ssh', (e) => typeof e === 'object' && e !== null && 'address' in e, Ssh);
    const parsed = createProvisioningParser([scraped, other])('hosts:\n  - name: b\n    url: http://b\n  - name: x\n', FILE);
    expect(parsed.problems).toEqual([{ file: FILE, line: 4, column: 5, field: 'hosts[1]', message: 'is none of the kinds of entry this list holds' }]);
    expect(parsed.config && sectionOf(parsed.config, scraped)).toEqual([{ name: 'b', url: 'http://b' }]);
  });

  it('refuses to build a parser from sections that cannot share a list', () => {
    expect(() => createProvisioningParser([ssh, sectionOfIndependentEntries('hosts', Ssh)])).toThrow('two provisioning sections are named "hosts"');
    expect(() => createProvisioningParser([sectionOfIndependentEntries('version', Ssh)])).toThrow('two provisioning sections are named "version"');
    const another = sectionOfClaimedEntries('hosts', 'other', () => false, Ssh);
    expect(() => createProvisioningParser([{ ...ssh, key: 'ssh2' }, { ...sectionOfIndependentEntries('hosts', Ssh), key: 'ssh3' }])).toThrow(
      'provisioning sections sharing "hosts" must be lists of entries, all but one claiming theirs',
    );
    expect(() => createProvisioningParser([another, { ...wholeSection('hosts', z.unknown(), () => null), key: 'whole' }])).toThrow(/must be lists of entries/);
    expect(() => createProvisioningParser([another, ssh])).not.toThrow();
  });
});
