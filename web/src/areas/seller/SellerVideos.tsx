import { useTranslation } from 'react-i18next';
import { ShowcaseLinksEditor } from '../../components/ShowcaseLinksEditor';
import { VideoList } from '../../components/VideoList';
import { VideoUploader } from '../../components/VideoUploader';
import { useMe } from '../../lib/session';
import { useSellerShop } from '../../lib/shops';
import { keys } from '../../api/keys';

/** The seller's own videos, anchored to the shop's products, and the store links on the seller's profile. */
export function SellerVideos() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const shop = useSellerShop();
  const key = keys.creatorVideos(me?.id);
  return (
    <div className="grid grid--split">
      <section className="panel" aria-labelledby="seller-upload-title">
        <h2 id="seller-upload-title">{t('uploader.title')}</h2>
        <VideoUploader shopId={shop.id} videosKey={key} />
      </section>
      <section className="panel" aria-labelledby="seller-videos-title">
        <h2 id="seller-videos-title">{t('videos.title')}</h2>
        {me && <VideoList creatorId={me.id} queryKey={key} testId="seller-videos" />}
      </section>
      {me && (
        <section className="panel">
          <ShowcaseLinksEditor userId={me.id} />
        </section>
      )}
    </div>
  );
}
