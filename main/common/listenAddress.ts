// The `host:port` a listener binds, as written by a user in three places (the
// --metrics-listen flag, the provisioning file, the Settings screen). One
// parser for all three so they accept and refuse the same text; problems are
// codes so the renderer can say them in the user's language.
import { z } from 'zod';

export interface ListenAddress {
  /** An IPv4 literal, an IPv6 literal WITHOUT brackets, or a host name such as `localhost`. */
  readonly host: string;
  readonly port: number;
}

export type ListenAddressProblem =
  /** Not `host:port` at all (no colon, empty). */
  | 'format'
  /** The port is not a whole number from 1 to 65535. */
  | 'port'
  /** The host part is neither an IP address nor a host name. */
  | 'host';

export type ListenAddressParse = { ok: true; address: ListenAddress } | { ok: false; problem: ListenAddressProblem };

export const LISTEN_ADDRESS_MESSAGES: Record<ListenAddressProblem, string> = {
  format: 'must be host:port, like 127.0.0.1:9309 or [::1]:9309',
  port: 'the port must be a whole number from 1 to 65535',
  host: 'the host must be an IP address (IPv6 in brackets) or a host name',
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Only the characters of IPv6 text (RFC 4291 §2.2, with an optional embedded IPv4 tail);
// the operating system refuses the rest when binding, with the error shown in the UI.
const IPV6 = /^[0-9a-fA-F:.]+$/;
// RFC 1123 host names: labels of letters, digits and hyphens, not starting or ending with a hyphen.
const HOST_NAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function parseListenAddress(text: string): ListenAddressParse {
  const trimmed = text.trim();
  let hostPart: string;
  let portPart: string;
  if (trimmed.startsWith('[')) {
    const close = trimmed.indexOf(']');
    if (close < 0 || trimmed[close + 1] !== ':') return { ok: false, problem: 'format' };
    hostPart = trimmed.slice(1, close);
    portPart = trimmed.slice(close + 2);
    if (!IPV6.test(hostPart) || !hostPart.includes(':')) return { ok: false, problem: 'host' };
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon <= 0) return { ok: false, problem: 'format' };
    hostPart = trimmed.slice(0, colon);
    portPart = trimmed.slice(colon + 1);
    // An IPv6 address without brackets: its last group would read as the port.
    if (hostPart.includes(':')) return { ok: false, problem: 'format' };
    if (!IPV4.test(hostPart) && (/^[\d.]+$/.test(hostPart) || !HOST_NAME.test(hostPart))) return { ok: false, problem: 'host' };
  }
  if (!/^\d{1,5}$/.test(portPart)) return { ok: false, problem: 'port' };
  const port = Number(portPart);
  if (port < 1 || port > 65535) return { ok: false, problem: 'port' };
  return { ok: true, address: { host: hostPart, port } };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** 0.0.0.0 and :: accept connections on every interface of the machine. */
export function isAllInterfaces(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || /^(0{1,4}:){7}0{1,4}$/.test(host);
}

export function isLoopbackListenHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const DEFAULT_METRICS_LISTEN: ListenAddress = { host: '127.0.0.1', port: 9309 };

/** `host:port` text as a field of a request (the exporter's and the remote-write receiver's `listen`). */
export const ListenAddressText = z
  .string()
  .max(300)
  .superRefine((text, ctx) => {
    const parsed = parseListenAddress(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: LISTEN_ADDRESS_MESSAGES[parsed.problem] });
  });
export const DEFAULT_REMOTE_WRITE_LISTEN: ListenAddress = { host: '127.0.0.1', port: 9091 };
