export type TagColour = 'blue' | 'green' | 'red' | 'orange' | 'grey';

export function Tag({ colour = 'blue', children }: { colour?: TagColour; children: React.ReactNode }) {
  return <strong className={`ui-tag ui-tag--${colour}`}>{children}</strong>;
}
