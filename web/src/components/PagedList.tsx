import type { ReactNode } from 'react';
import type { Paged } from '../lib/paging';
import { EmptyState } from './EmptyState';
import { ErrorAlert } from './ErrorAlert';
import { BoxIcon } from './Icons';
import { Loading } from './Loading';
import { LoadMore } from './LoadMore';

/** A paginated list: loading, the failure with a retry, the empty state, the rows and "Load more". */
export function PagedList<T>({
  list,
  emptyTitle,
  emptyText,
  testId,
  children,
}: {
  list: Paged<T>;
  emptyTitle: string;
  emptyText: string;
  testId: string;
  children: (rows: T[]) => ReactNode;
}) {
  const { query, rows } = list;
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  if (rows.length === 0) {
    return (
      <EmptyState title={emptyTitle} icon={<BoxIcon />} testId={`${testId}-empty`}>
        {emptyText}
      </EmptyState>
    );
  }
  return (
    <div data-testid={testId}>
      {children(rows)}
      <LoadMore query={query} />
    </div>
  );
}
