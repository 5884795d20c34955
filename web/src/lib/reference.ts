/** "PGE-0J5K8Q2M3RX" → ["PGE", "0J5K", "8Q2M", "3RX"]: groups easy to read over the phone. */
export function groupReference(reference: string): string[] {
  const [prefix = '', body = ''] = reference.toUpperCase().split('-', 2);
  const groups = body.match(/.{1,4}/g) ?? [];
  return [prefix, ...groups].filter(Boolean);
}
