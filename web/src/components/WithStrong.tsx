/**
 * A translation whose only markup is `<strong>…</strong>`, rendered as such: react-i18next's
 * `Trans` would do it too, but its HTML parser weighs 5 kB in the first load.
 */
export function WithStrong({ text }: { text: string }) {
  return <>{text.split(/<strong>(.*?)<\/strong>/g).map((part, i) => (i % 2 === 1 ? <strong key={i}>{part}</strong> : part))}</>;
}
