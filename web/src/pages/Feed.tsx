import { useTranslation } from 'react-i18next';
import { EmptyState } from '../components/EmptyState';
import { VideoIcon } from '../components/Icons';
import { PageHeader } from '../components/PageHeader';

/** Buyer feed: shoppable videos ranked for the viewer (filled by the feed issue). */
export function Feed() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('feed.title')} subtitle={t('feed.subtitle')} />
      <section className="panel">
        <EmptyState title={t('feed.empty.title')} icon={<VideoIcon />} testId="feed-empty">
          {t('feed.empty.text')}
        </EmptyState>
      </section>
    </>
  );
}
