// The `export:` section through the real provisioning parser: what it turns
// into, and the line/field of each mistake.
import { describe, expect, it } from 'vitest';
import { parseProvisioningText } from '../../testing/provisioningText.js';

const FILE = '/etc/overlook/overlook.yaml';

describe('the export: section of the provisioning file', () => {
  it('reads listen, a token reference and basic auth', () => {
    const text = 'version: 1\nexport:\n  listen: "[::1]:9400"\n  token_file: secrets/metrics.token\n  basic_auth:\n    username: prom\n    password_env: PROM_PASSWORD\n';
    const parsed = parseProvisioningText(text, FILE);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config?.export).toEqual({
      enabled: true,
      listen: { host: '::1', port: 9400 },
      token: { file: 'secrets/metrics.token' },
      basicAuth: { username: 'prom', password: { env: 'PROM_PASSWORD' } },
    });
  });

  it('is null when absent, and `enabled: false` keeps the exporter off', () => {
    expect(parseProvisioningText('settings:\n  poll_interval: 5s\n', FILE).config?.export).toBeNull();
    expect(parseProvisioningText('export:\n  enabled: false\n', FILE).config?.export).toEqual({ enabled: false });
  });

  it('points at the bad listen address', () => {
    const parsed = parseProvisioningText('export:\n  listen: 127.0.0.1:70000\n', FILE);
    expect(parsed.config).toBeNull();
    expect(parsed.problems).toContainEqual({ file: FILE, line: 2, column: 11, field: 'export.listen', message: 'the port must be a whole number from 1 to 65535' });
  });

  it('refuses a plaintext token and does not repeat it', () => {
    const parsed = parseProvisioningText('export:\n  listen: 127.0.0.1:9309\n  token: hunter2-hunter2\n', FILE);
    expect(parsed.config).toBeNull();
    expect(parsed.problems).toContainEqual(expect.objectContaining({ line: 3, field: 'export.token', message: expect.stringContaining('`token_env`') }));
    expect(JSON.stringify(parsed.problems)).not.toContain('hunter2');
  });

  it('wants one source per secret and a password for basic auth', () => {
    const both = parseProvisioningText('export:\n  token_env: A\n  token_file: b\n', FILE);
    expect(both.problems).toContainEqual(expect.objectContaining({ field: 'export.token_file', message: 'give either `token_env` or `token_file`, not both' }));
    const noPassword = parseProvisioningText('export:\n  basic_auth:\n    username: prom\n', FILE);
    expect(noPassword.problems).toContainEqual(expect.objectContaining({ field: 'export.basic_auth', message: expect.stringContaining('needs `password_env`') }));
    const colon = parseProvisioningText('export:\n  basic_auth:\n    username: "a:b"\n    password_env: P\n', FILE);
    expect(colon.problems).toContainEqual(expect.objectContaining({ field: 'export.basic_auth.username', message: 'cannot contain ":" (RFC 7617)' }));
  });
});
