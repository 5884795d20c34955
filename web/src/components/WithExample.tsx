// A hint that shows an identifier as its example (`PGE-7K3M-Q9TX-2HBW-D`): the example
// never split across two lines at one of its dashes.
export const IDENTIFIER_EXAMPLE = 'PGE-7K3M-Q9TX-2HBW-D';

export function WithExample({ text, example = IDENTIFIER_EXAMPLE }: { text: string; example?: string }) {
  const at = text.indexOf(example);
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <span className="nowrap">{example}</span>
      {text.slice(at + example.length)}
    </>
  );
}
