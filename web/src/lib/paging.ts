import { useInfiniteQuery } from '@tanstack/react-query';
import type { Page } from '../api';

/** A cursor-paginated list route as a TanStack infinite query, with its rows flattened. */
export function usePaged<T>(queryKey: readonly unknown[], fetchPage: (cursor: string | null) => Promise<Page<T>>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  return { query, rows: query.data?.pages.flatMap((p) => p.data) ?? [] };
}

export type Paged<T> = ReturnType<typeof usePaged<T>>;
