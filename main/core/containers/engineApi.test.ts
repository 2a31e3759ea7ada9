// The engine parsers against captures of real engines (fixtures/engine/:
// Debian 12's docker.io 20.10 and podman 4.3.1, rootful with runc, both
// over their API socket and through their CLI), and against garbage.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kubernetesNames } from '../derive/containerIdentity.js';
import { cliState, parseCliInspect, parseCliList, parseContainerInspect, parseContainerList, parseEngineVersion } from './engineApi.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/engine/${name}`, import.meta.url), 'utf8');
const json = (name: string) => JSON.parse(fixture(name)) as unknown;

describe('Docker 20.10', () => {
  it('version: Docker, not Podman', () => {
    expect(parseEngineVersion(json('docker-20.10-version.json'))).toEqual({ value: { engine: 'docker', version: '20.10.24+dfsg1' }, problems: [] });
  });

  it('list: ids and states, restarting included', () => {
    const r = parseContainerList(json('docker-20.10-containers.json'));
    expect(r.problems).toEqual([]);
    expect(r.value.map((c) => [c.id.slice(0, 12), c.state])).toEqual([
      ['2258416c1736', 'running'],
      ['4e9f1f38f7d5', 'restarting'],
      ['3273738b88f4', 'exited'],
      ['bd832c39347e', 'paused'],
      ['dc16516060f6', 'running'],
    ]);
  });

  it('inspect: name without the slash, image as asked for, labels, pid, start, memory limit', () => {
    const r = parseContainerInspect(json('docker-20.10-inspect-running.json'));
    expect(r.problems).toEqual([]);
    expect(r.value).toMatchObject({
      name: 'web',
      image: 'ovl/busybox',
      state: 'running',
      restarts: 0,
      labels: { app: 'web' },
      pid: 31798,
      startedAt: Date.parse('2026-12-03T14:21:28.142167936Z'),
      memoryLimitBytes: 64 * 1024 * 1024,
    });
  });

  it('inspect of a restarting container: its restarts counted, no pid', () => {
    const r = parseContainerInspect(json('docker-20.10-inspect-restarting.json'));
    expect(r.value).toMatchObject({ name: 'flaky', state: 'restarting', restarts: 4 });
    expect(r.value!.pid).toBeUndefined();
  });

  it('the CLI prints the same objects; no limit (0) is none; Kubernetes labels name pod, namespace, container', () => {
    const r = parseCliInspect(fixture('docker-20.10-cli-inspect.json'));
    expect(r.problems).toEqual([]);
    expect(r.value.map((m) => [m.name, m.state, m.memoryLimitBytes ?? null, m.pid ?? null])).toEqual([
      ['web', 'running', 64 * 1024 * 1024, 31798],
      ['paused', 'paused', null, 31848],
      ['done', 'exited', null, null],
      ['k8s_api_api-7d9f_prod_0', 'running', null, 32028],
    ]);
    expect(kubernetesNames(r.value[3]!.labels)).toEqual({ pod: 'api-7d9f', namespace: 'prod', container: 'api', sandbox: false });
    expect(parseCliList(fixture('docker-20.10-cli-ps.txt')).value.map((c) => c.state)).toEqual(['running', 'restarting', 'exited', 'paused', 'running']);
  });
});

describe('Podman 4.3.1 (rootful, runc)', () => {
  it('its compatibility API calls itself Podman', () => {
    expect(parseEngineVersion(json('podman-4.3.1-compat-version.json')).value.engine).toBe('podman');
  });

  it('compat list and inspect read like Docker', () => {
    expect(parseContainerList(json('podman-4.3.1-compat-containers.json')).value.map((c) => c.state).sort()).toEqual(['exited', 'paused', 'running']);
    expect(parseContainerInspect(json('podman-4.3.1-compat-inspect-running.json')).value).toMatchObject({
      name: 'pweb',
      image: 'localhost/ovl/busybox:latest',
      state: 'running',
      pid: 30994,
      memoryLimitBytes: 64 * 1024 * 1024,
      labels: {},
    });
  });

  it('the CLI: names without a slash, null labels, and ps printing status text for .State', () => {
    const r = parseCliInspect(fixture('podman-4.3.1-cli-inspect.json'));
    expect(r.problems).toEqual([]);
    expect(r.value.map((m) => [m.name, m.state, m.labels])).toEqual([
      ['pweb', 'running', {}],
      ['ppaused', 'paused', {}],
      ['pdone', 'exited', {}],
    ]);
    expect(parseCliList(fixture('podman-4.3.1-cli-ps.txt')).value.map((c) => c.state)).toEqual(['running', 'paused', 'exited']);
  });

  it('states only Podman has', () => {
    expect(['configured', 'initialized', 'stopped', 'stopping'].map((s) => cliState(s))).toEqual(['created', 'created', 'exited', 'exited']);
    expect(cliState('Up 3 hours (Paused)')).toBe('paused');
    expect(cliState('<no value>')).toBe('unknown');
  });
});

describe('garbage from an engine: left out with a problem, never a crash', () => {
  it('not a list, not containers, bad ids', () => {
    expect(parseContainerList({ message: 'page not found' })).toEqual({ value: [], problems: ['containers/json: the engine answered something that is not a list'] });
    const r = parseContainerList([{ Id: 'short' }, null, 42, { Id: 'a'.repeat(64), State: 'running' }]);
    expect(r.value).toEqual([{ id: 'a'.repeat(64), state: 'running' }]);
    expect(r.problems).toHaveLength(3);
    expect(parseContainerInspect({ Id: 'a'.repeat(64) }).value).toBeUndefined();
    expect(parseContainerInspect('<html>').problems).toHaveLength(1);
    expect(parseCliInspect('Error: no such container').problems[0]).toMatch(/^inspect: not JSON/);
    expect(parseCliList('WARNING: something\n' + 'b'.repeat(64) + ' running\n').value).toEqual([{ id: 'b'.repeat(64), state: 'running' }]);
  });

  it('hostile text is bounded and cannot break a line; negative or fractional numbers are dropped', () => {
    const r = parseContainerInspect({
      Id: 'c'.repeat(64),
      Name: '/evil\nname\u0007',
      RestartCount: -1,
      State: { Status: 'running', Pid: 1.5, StartedAt: 'yesterday' },
      Config: { Image: 'x'.repeat(5000), Labels: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'.repeat(2000)])) },
      HostConfig: { Memory: -5 },
    });
    const m = r.value!;
    expect(m.name).toBe('evil name ');
    expect(m.image).toHaveLength(512);
    expect(Object.keys(m.labels)).toHaveLength(256);
    expect(m.labels.k0).toHaveLength(1024);
    expect(m.restarts).toBeUndefined();
    expect(m.pid).toBeUndefined();
    expect(m.startedAt).toBeUndefined();
    expect(m.memoryLimitBytes).toBeUndefined();
    expect(r.problems).toEqual([`container ${'c'.repeat(12)}: 300 labels, kept the first 256`]);
  });
});
