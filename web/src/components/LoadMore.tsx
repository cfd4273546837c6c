import { useTranslation } from 'react-i18next';

/** "Load more" under a paginated list (TanStack infinite query); nothing when it has no next page. */
export function LoadMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  const { t } = useTranslation();
  if (!query.hasNextPage) return null;
  return (
    <button type="button" className="button table-more" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
      {query.isFetchingNextPage ? t('common.loading') : t('common.loadMore')}
    </button>
  );
}
