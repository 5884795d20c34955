// A data table with a caption; on phones each row becomes a labelled card.
import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  /** Used as the row's label on phones. */
  label: string;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
  /** The cell that names the row (a row header). */
  rowHeader?: boolean;
}

export function Table<T>({
  caption,
  captionHidden,
  columns,
  rows,
  rowKey,
  footer,
}: {
  caption: ReactNode;
  captionHidden?: boolean;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  footer?: ReactNode;
}) {
  return (
    <div className="ui-table-wrap">
      <table className="ui-table ui-table--stack">
        <caption className={captionHidden ? 'ui-visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'ui-num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.key} scope="row" data-label={c.label} className={c.numeric ? 'ui-num' : undefined}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.key} data-label={c.label} className={c.numeric ? 'ui-num' : undefined}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
        {footer && <tfoot>{footer}</tfoot>}
      </table>
    </div>
  );
}
