/**
 * Groups easy to read over the phone: a loan request's reference "PGE-0J5K8Q2M3RX" →
 * ["PGE", "0J5K", "8Q2M", "3RX"]; a guarantee identifier "PGE-7K3M-Q9TX-2HBW-D" →
 * ["PGE", "7K3M", "Q9TX", "2HBW", "D"].
 */
export function groupReference(reference: string): string[] {
  const [prefix = '', ...rest] = reference.toUpperCase().split('-');
  const groups = rest.join('').match(/.{1,4}/g) ?? [];
  return [prefix, ...groups].filter(Boolean);
}
