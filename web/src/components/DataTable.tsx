import type { Key, ReactNode } from 'react';

/** One column of a `DataTable`: its header, its cell, and whether it holds a number (right-aligned). */
export interface Column<T> {
  header: ReactNode;
  /** Right-aligns the header and the cells. */
  num?: boolean;
  /** The header is read to screen readers only (an actions column). */
  hideHeader?: boolean;
  /** The cells' class, when it is not just `num`. */
  className?: string | ((row: T) => string | undefined);
  /** The cells' test id. */
  testId?: string;
  cell?: (row: T, index: number) => ReactNode;
}

/** `data-*` and other attributes of a row. */
type RowAttributes = Record<string, string | number | undefined>;

/**
 * A table of rows under column headers. Each row's cells come from its columns, or the whole row
 * from `renderRow` (a row with its own state). `wrap` (default) puts it in a horizontally
 * scrollable `.table-wrap`, where `children` (a "Load more") follow the table. Each cell carries
 * its column's header as `data-label`, for layouts that hide the header row (narrow screens).
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  rowProps,
  renderRow,
  caption,
  className,
  testId,
  wrapTestId,
  wrap = true,
  children,
}: {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => Key;
  rowProps?: (row: T) => RowAttributes;
  renderRow?: (row: T, index: number) => ReactNode;
  caption?: string;
  className?: string;
  testId?: string;
  /** The `.table-wrap`'s test id. */
  wrapTestId?: string;
  wrap?: boolean;
  children?: ReactNode;
}) {
  const table = (
    <table className={className ? `table ${className}` : 'table'} data-testid={testId}>
      {caption && <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col" className={c.num && !c.hideHeader ? 'num' : undefined}>
              {c.hideHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) =>
          renderRow ? (
            renderRow(row, r)
          ) : (
            <tr key={rowKey(row, r)} {...rowProps?.(row)}>
              {columns.map((c, i) => (
                <td
                  key={i}
                  className={typeof c.className === 'function' ? c.className(row) : (c.className ?? (c.num ? 'num' : undefined))}
                  data-testid={c.testId}
                  data-label={typeof c.header === 'string' ? c.header : undefined}
                >
                  {c.cell?.(row, r)}
                </td>
              ))}
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
  if (!wrap) return table;
  return (
    <div className="table-wrap" data-testid={wrapTestId}>
      {table}
      {children}
    </div>
  );
}
