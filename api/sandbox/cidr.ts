/** IPv4 CIDR arithmetic for subnet validation (overlaps are refused by compute, as on Google). */

export interface Cidr {
  start: number;
  size: number;
}

export function parseCidr(text: unknown): Cidr | null {
  if (typeof text !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32 || bits < 8) return null;
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  if (addr % size !== 0) return null; // host bits set: Google rejects `10.0.0.1/20`
  return { start: addr, size };
}

export const overlaps = (a: Cidr, b: Cidr): boolean => a.start < b.start + b.size && b.start < a.start + a.size;

const ipText = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export const formatCidr = (c: Cidr): string => `${ipText(c.start)}/${32 - Math.log2(c.size)}`;

/** The gateway compute reports for a subnet: the first usable address. */
export const gatewayOf = (c: Cidr): string => ipText(c.start + 1);
