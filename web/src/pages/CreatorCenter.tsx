import { useTranslation } from 'react-i18next';
import { EmptyState } from '../components/EmptyState';
import { CoinsIcon, VideoIcon } from '../components/Icons';
import { PageHeader } from '../components/PageHeader';

/** Creator center: the creator's videos and affiliate earnings (filled by the content issues). */
export function CreatorCenter() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('creator.title')} subtitle={t('creator.subtitle')} />
      <div className="grid grid--2">
        <section className="panel" aria-labelledby="creator-videos">
          <h2 id="creator-videos">{t('creator.videos.title')}</h2>
          <EmptyState title={t('creator.videos.emptyTitle')} icon={<VideoIcon />} testId="creator-videos-empty">
            {t('creator.videos.emptyText')}
          </EmptyState>
        </section>
        <section className="panel" aria-labelledby="creator-earnings">
          <h2 id="creator-earnings">{t('creator.earnings.title')}</h2>
          <EmptyState title={t('creator.earnings.emptyTitle')} icon={<CoinsIcon />} testId="creator-earnings-empty">
            {t('creator.earnings.emptyText')}
          </EmptyState>
        </section>
      </div>
    </>
  );
}
