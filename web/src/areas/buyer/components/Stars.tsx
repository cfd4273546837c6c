import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format';
import { RATINGS } from '../../../lib/trust';
import '../../../trust.css';

/** A rating as five stars (filled up to the rounded value), read out as "Rated n of 5". */
export function Stars({ rating }: { rating: number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const filled = Math.round(rating);
  return (
    <span className="stars" role="img" aria-label={t('reviews.stars', { n: new Intl.NumberFormat(fmt.locale, { maximumFractionDigits: 1 }).format(rating) })} data-testid="stars">
      {RATINGS.map((n) => (
        <span key={n} className={`stars__star${n <= filled ? ' stars__star--on' : ''}`} aria-hidden="true" />
      ))}
    </span>
  );
}
