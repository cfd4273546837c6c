import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format';
import { usePaged } from '../../../lib/paging';
import { trust, type RatingSummary } from '../../../lib/trust';
import { PagedList } from '../../../components/PagedList';
import { Stars } from './Stars';
import '../../../trust.css';
import { keys } from '../../../api/keys';

/** A product's rating (average and count) and its reviews, newest first, with "Load more". */
export function ProductReviews({ productId, rating }: { productId: string; rating?: RatingSummary }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const list = usePaged(keys.productReviews(productId), (cursor) => trust.productReviews(productId, { limit: 10, cursor }));
  const average = rating?.average ?? null;
  return (
    <section className="product-reviews" aria-labelledby="product-reviews-title" data-testid="product-reviews">
      <h2 id="product-reviews-title">{t('reviews.title')}</h2>
      <div className="rating-summary" data-testid="rating-summary" data-average={average ?? ''} data-count={rating?.count ?? 0}>
        {average !== null && rating ? (
          <>
            <span className="rating-summary__average">{t('reviews.average', { average: new Intl.NumberFormat(fmt.locale, { maximumFractionDigits: 1 }).format(average) })}</span>
            <Stars rating={average} />
            <span className="muted">{t('reviews.count', { count: rating.count, n: fmt.number(rating.count) })}</span>
          </>
        ) : (
          <span className="muted">{t('reviews.noRatings')}</span>
        )}
      </div>
      <PagedList list={list} emptyTitle={t('reviews.emptyTitle')} emptyText={t('reviews.emptyText')} testId="review-list">
        {(rows) => (
          <ul className="review-list">
            {rows.map((r) => (
              <li key={r.id} data-testid="review" data-rating={r.rating}>
                <div className="review__meta">
                  <Stars rating={r.rating} />
                  <strong>{r.author.name || t('reviews.anonymous')}</strong>
                  <time className="muted" dateTime={r.created_at}>
                    {fmt.dateTime(r.created_at)}
                  </time>
                  {r.updated_at !== r.created_at && <span className="muted">{t('reviews.edited')}</span>}
                </div>
                {r.text && <p className="review__text">{r.text}</p>}
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </section>
  );
}
