import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { shopProducts } from '../lib/catalog';
import { commerce, type ProductSummary } from '../lib/commerce';
import { useFormat } from '../lib/format';
import { ErrorAlert } from './ErrorAlert';
import { Loading } from './Loading';
import { ProductImage } from './ProductImage';
import { keys } from '../api/keys';

/**
 * Choose up to `max` live products to attach to a video: a shop's own (seller) or any live
 * product found by search (creator).
 */
export function ProductPicker({
  shopId,
  selected,
  max,
  error,
  onChange,
}: {
  shopId?: string;
  selected: string[];
  max: number;
  error?: string | null;
  onChange: (ids: string[]) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const products = useQuery({
    queryKey: keys.pickProducts(shopId ?? null, search),
    queryFn: async () => {
      const page = shopId ? await shopProducts(shopId, { q: search || undefined, limit: 50 }) : await commerce.products({ q: search || undefined, limit: 50 });
      return page.data.filter((p) => !p.status || p.status === 'live');
    },
  });
  const toggle = (p: ProductSummary) =>
    onChange(selected.includes(p.id) ? selected.filter((id) => id !== p.id) : selected.length < max ? [...selected, p.id] : selected);

  return (
    <fieldset className={`form-section product-picker${error ? ' field--invalid' : ''}`} aria-describedby="picker-count">
      <legend>{t('uploader.products')}</legend>
      <div className="product-picker__search">
        <input
          type="search"
          value={q}
          aria-label={t('uploader.searchProducts')}
          placeholder={t('uploader.searchProducts')}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              setSearch(q.trim());
            }
          }}
        />
        <button type="button" className="button button--small" onClick={() => setSearch(q.trim())}>
          {t('uploader.search')}
        </button>
      </div>
      <p id="picker-count" className={error ? 'field__error' : 'field__hint'}>
        {error ?? t('uploader.selectedCount', { n: fmt.number(selected.length), max: fmt.number(max) })}
      </p>
      {products.isPending ? (
        <Loading />
      ) : products.isError ? (
        <ErrorAlert error={products.error} onRetry={() => void products.refetch()} />
      ) : products.data.length === 0 ? (
        <p className="muted">{t('uploader.noProducts')}</p>
      ) : (
        <ul className="product-picker__list">
          {products.data.map((p) => {
            const checked = selected.includes(p.id);
            return (
              <li key={p.id}>
                <label className={`pick${checked ? ' pick--on' : ''}`}>
                  <input type="checkbox" checked={checked} disabled={!checked && selected.length >= max} onChange={() => toggle(p)} />
                  <ProductImage src={p.images[0]} alt={p.title} className="pick__image" />
                  <span className="pick__text">
                    <span className="pick__title">{p.title}</span>
                    <span className="muted">{fmt.range(p.price_range)}</span>
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
