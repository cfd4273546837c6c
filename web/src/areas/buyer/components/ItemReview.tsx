import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api';
import { useFormat } from '../../../lib/format';
import type { OrderItem } from '../../../lib/commerce';
import { forbiddenSpans, RATINGS, trust, type Review } from '../../../lib/trust';
import { FormError } from '../../../components/FormError';
import { Stars } from './Stars';
import { useToast } from '../../../components/Toast';
import '../../../trust.css';
import { keys } from '../../../api/keys';

/**
 * The buyer's review of one delivered item of their order: a 1–5 rating and an optional text,
 * once per item; afterwards the review with "Edit" while it may still be edited (30 days).
 */
export function ItemReview({ orderId, item }: { orderId: string; item: OrderItem }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  // What the last write answered, until the refreshed order carries it.
  const [saved, setSaved] = useState<Review | null>(null);
  const [editing, setEditing] = useState(false);
  const [locked, setLocked] = useState(false);
  const existing = saved ?? item.review ?? null;
  const editable = !locked && (!existing || new Date(existing.editable_until).getTime() > Date.now());

  if (!existing || editing) {
    return (
      <ReviewForm
        orderId={orderId}
        item={item}
        existing={existing ? { id: existing.id, rating: existing.rating, text: existing.text } : null}
        onDone={(review) => {
          setSaved(review);
          setEditing(false);
        }}
        onLocked={() => {
          setLocked(true);
          setEditing(false);
        }}
        onCancel={existing ? () => setEditing(false) : undefined}
      />
    );
  }
  return (
    <div className="item-review" data-testid="item-review" data-review-id={existing.id} data-rating={existing.rating}>
      <p className="item-review__head">
        <strong>{t('reviews.yours')}</strong> <Stars rating={existing.rating} />
      </p>
      {existing.text && <p className="item-review__text">{existing.text}</p>}
      {editable && <p className="muted">{t('reviews.editableUntil', { time: fmt.dateTime(existing.editable_until) })}</p>}
      {editable ? (
        <button type="button" className="button button--small" onClick={() => setEditing(true)} data-testid="edit-review">
          {t('reviews.edit')}
        </button>
      ) : (
        <p className="muted" data-testid="review-locked">
          {t('reviews.locked')}
        </p>
      )}
    </div>
  );
}

function ReviewForm({
  orderId,
  item,
  existing,
  onDone,
  onLocked,
  onCancel,
}: {
  orderId: string;
  item: OrderItem;
  existing: { id: string; rating: number; text: string } | null;
  onDone: (review: Review) => void;
  onLocked: () => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const [rating, setRating] = useState(existing?.rating ?? 0);
  const [text, setText] = useState(existing?.text ?? '');
  const [missing, setMissing] = useState(false);
  const save = useMutation({
    mutationFn: () => {
      const trimmed = text.trim();
      if (existing) return trust.editReview(existing.id, { rating, text: trimmed });
      return trust.review(orderId, item.id, { rating, ...(trimmed ? { text: trimmed } : {}) });
    },
    onSuccess: (review) => {
      toast({ text: existing ? t('reviews.updated') : t('reviews.posted') });
      void qc.invalidateQueries({ queryKey: keys.order(orderId) });
      void qc.invalidateQueries({ queryKey: keys.product(item.product_id) });
      void qc.invalidateQueries({ queryKey: keys.productReviews(item.product_id) });
      onDone(review);
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'review_locked') onLocked();
      // Reviewed elsewhere meanwhile: the refreshed order shows that review.
      if (err instanceof ApiError && err.code === 'already_reviewed') void qc.invalidateQueries({ queryKey: keys.order(orderId) });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (rating < 1) {
      setMissing(true);
      return;
    }
    save.mutate();
  };
  const spans = save.error instanceof ApiError && save.error.code === 'external_link_forbidden' ? forbiddenSpans(save.error.details) : [];
  const refused = save.error instanceof ApiError && save.error.code === 'external_link_forbidden';
  const base = `review-${item.id}`;
  return (
    <form className="form item-review" onSubmit={submit} noValidate data-testid="review-form" data-item-id={item.id}>
      <fieldset className={`choice-row rating-choice${missing ? ' field--invalid' : ''}`} aria-describedby={missing ? `${base}-missing` : undefined}>
        <legend>{existing ? t('reviews.editTitle') : t('reviews.rateTitle')}</legend>
        {RATINGS.map((n) => (
          <label key={n} className="choice rating-choice__option">
            <input
              type="radio"
              name={`${base}-rating`}
              value={n}
              checked={rating === n}
              onChange={() => {
                setRating(n);
                setMissing(false);
              }}
              data-testid={`rating-${n}`}
            />
            <span>{t('reviews.ratingOption', { n })}</span>
          </label>
        ))}
        {missing && (
          <p id={`${base}-missing`} className="field__error" role="alert">
            {t('reviews.ratingRequired')}
          </p>
        )}
      </fieldset>
      <div className={`field${refused ? ' field--invalid' : ''}`}>
        <label htmlFor={`${base}-text`}>
          {t('reviews.text')} <span className="muted">({t('common.optional')})</span>
        </label>
        <textarea
          id={`${base}-text`}
          rows={3}
          maxLength={2000}
          value={text}
          aria-invalid={refused}
          aria-describedby={`${base}-hint`}
          onChange={(e) => setText(e.target.value)}
          data-testid="review-text"
        />
        <div id={`${base}-hint`} className={refused ? 'field__error' : 'field__hint'}>
          {refused ? (
            <>
              {t('reviews.linksRefused')}
              {spans.length > 0 && (
                <ul className="link-list" data-testid="review-links">
                  {spans.map((s) => (
                    <li key={`${s.start}-${s.end}`} className="url">
                      {s.text}
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : (
            t('reviews.textHint')
          )}
        </div>
      </div>
      <FormError error={save.error} testId="review-error" />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={save.isPending} data-testid="submit-review">
          {save.isPending ? t('reviews.saving') : existing ? t('reviews.save') : t('reviews.submit')}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
