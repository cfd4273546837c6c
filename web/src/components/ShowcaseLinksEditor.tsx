import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { keys } from '../api/keys';
import { content, MAX_SHOWCASE_LINKS, type Showcase } from '../lib/content';
import { ErrorAlert } from './ErrorAlert';
import { ExternalLinksEditor } from './ExternalLinksEditor';
import { Loading } from './Loading';

/** The external store links on your profile showcase (creators and sellers, semi-closed markets). */
export function ShowcaseLinksEditor({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const showcase = useQuery({ queryKey: keys.showcase(userId), queryFn: () => content.showcase(userId) });
  if (showcase.isPending) return <Loading />;
  if (showcase.isError) return <ErrorAlert error={showcase.error} onRetry={() => void showcase.refetch()} />;
  return (
    <ExternalLinksEditor
      initial={showcase.data.links}
      max={MAX_SHOWCASE_LINKS}
      save={content.setShowcaseLinks}
      onSaved={(next) => qc.setQueryData(keys.showcase(userId), next as Showcase)}
      testId="showcase-links"
      title={t('externalLinks.showcaseTitle')}
      hint={t('externalLinks.showcaseHint')}
    />
  );
}
