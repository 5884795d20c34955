import type { ReactNode } from 'react';

export interface TimelineItem {
  key: string;
  title: ReactNode;
  meta?: ReactNode;
  body?: ReactNode;
}

export function Timeline({ items, label }: { items: TimelineItem[]; label: string }) {
  return (
    <ol className="ui-timeline" aria-label={label}>
      {items.map((i) => (
        <li key={i.key} className="ui-timeline__item">
          <p className="ui-timeline__title">{i.title}</p>
          {i.meta && <p className="ui-timeline__meta">{i.meta}</p>}
          {i.body}
        </li>
      ))}
    </ol>
  );
}
