import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatPrometheusText, type ExposedSeries } from './promText.js';

function promtool(text: string): { code: number; output: string } {
  try {
    const output = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

describe('Prometheus text exposition', () => {
  const series: ExposedSeries[] = [
    { name: 'node_load1', labels: { host: 'web-1' }, value: 0.25, kind: 'gauge' },
    { name: 'node_cpu_seconds_total', labels: { host: 'web-1', cpu: '0', mode: 'idle' }, value: 1234.5, kind: 'counter' },
    { name: 'node_cpu_seconds_total', labels: { host: 'web-1', cpu: '0', mode: 'user' }, value: 12, kind: 'counter' },
    { name: 'node_filesystem_avail_bytes', labels: { host: 'web-1', mountpoint: '/mnt/"odd"\\path\nx', device: '/dev/sda1', fstype: 'ext4' }, value: 1e9, kind: 'gauge' },
    { name: 'node_network_receive_bytes_total', labels: { host: '主机-1', device: 'eth0' }, value: 42, kind: 'counter' },
  ];

  it('groups families with HELP and TYPE once and escapes label values', () => {
    const text = formatPrometheusText(series);
    expect(text.match(/^# TYPE node_cpu_seconds_total counter$/gm)).toHaveLength(1);
    expect(text).toContain('# TYPE node_load1 gauge');
    expect(text).toContain('node_cpu_seconds_total{cpu="0",host="web-1",mode="idle"} 1234.5');
    expect(text).toContain('mountpoint="/mnt/\\"odd\\"\\\\path\\nx"');
    expect(text).toContain('host="主机-1"');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('writes NaN and the infinities as the text format spells them, families by name and series by label text', () => {
    const text = formatPrometheusText([
      { name: 'zz_value', labels: { k: 'b' }, value: Number.NaN, kind: 'gauge' },
      { name: 'zz_value', labels: { k: 'c' }, value: -Infinity, kind: 'gauge' },
      { name: 'zz_value', labels: { k: 'a' }, value: Infinity, kind: 'gauge' },
      { name: 'aa_value', labels: {}, value: 1, kind: 'gauge' },
    ]);
    expect(text).toBe(
      [
        '# HELP aa_value aa value',
        '# TYPE aa_value gauge',
        'aa_value 1',
        '# HELP zz_value zz value',
        '# TYPE zz_value gauge',
        'zz_value{k="a"} +Inf',
        'zz_value{k="b"} NaN',
        'zz_value{k="c"} -Inf',
        '',
      ].join('\n'),
    );
  });

  it('escapes a backslash and a newline in HELP text (exposition format 0.0.4)', () => {
    const text = formatPrometheusText([{ name: 'odd\\name\nx', labels: {}, value: 1, kind: 'gauge' }]);
    // The help falls back to the name (no catalogue entry); the name's own characters are the caller's to check.
    expect(text).toContain(' odd\\\\name\\nx\n# TYPE ');
  });

  it('passes promtool check metrics with no errors and no style warnings', () => {
    const result = promtool(formatPrometheusText(series));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('promtool would catch a broken exposition (the check can fail)', () => {
    const result = promtool('node_load1{host="a} 1\n');
    expect(result.code).not.toBe(0);
  });
});
