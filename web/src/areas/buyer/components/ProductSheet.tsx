import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useAddToCart } from '../../../lib/cart';
import { productPathFor } from '../../../lib/cartSource';
import { commerce, type CartSource, type Product, type ProductSummary } from '../../../lib/commerce';
import { track } from '../../../lib/events';
import { useFormat } from '../../../lib/format';
import { useRequireSignIn } from '../../../lib/requireSignIn';
import { useTrackOnce } from '../../../lib/trackers';
import { findVariant, initialSelection } from '../../../lib/variants';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { FormError } from '../../../components/FormError';
import { CloseIcon } from '../../../components/Icons';
import { Loading } from '../../../components/Loading';
import { ProductImage } from '../../../components/ProductImage';
import { QuantityStepper } from './QuantityStepper';
import { useToast } from '../../../components/Toast';
import { VariantPicker } from './VariantPicker';
import { keys } from '../../../api/keys';

/**
 * The bottom sheet a product anchor opens: pictures (or the video's poster), variants, price,
 * stock, quantity and "Add to cart", which names the video or live the buyer came from (the server
 * decides the attribution); `creatorId` only labels the analytics events.
 */
export function ProductSheet({
  summary,
  poster,
  source,
  creatorId,
  returnTo,
  onClose,
}: {
  summary: ProductSummary;
  poster?: string | null;
  source?: CartSource;
  creatorId?: string;
  /** Where a visitor comes back to after signing in to add to cart (default: the product's page). */
  returnTo?: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  const product = useQuery({ queryKey: keys.product(summary.id), queryFn: () => commerce.product(summary.id) });
  useTrackOnce('product_click', summary.id, { product_id: summary.id, shop_id: summary.shop_id, ...source, ...(creatorId ? { creator_id: creatorId } : {}) });

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div
        className="sheet"
        role="dialog"
        aria-modal="true"
        aria-labelledby="product-sheet-title"
        data-testid="product-sheet"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="sheet__handle" aria-hidden="true" />
        <button ref={closeRef} type="button" className="icon-button sheet__close" aria-label={t('common.close')} onClick={onClose}>
          <CloseIcon />
        </button>
        {product.isPending ? (
          <>
            <h2 id="product-sheet-title" className="sheet__title">
              {summary.title}
            </h2>
            <Loading />
          </>
        ) : product.isError ? (
          <>
            <h2 id="product-sheet-title" className="sheet__title">
              {summary.title}
            </h2>
            <ErrorAlert error={product.error} onRetry={() => void product.refetch()} />
          </>
        ) : (
          <>
            <ProductDetails product={product.data} poster={poster} source={source} creatorId={creatorId} returnTo={returnTo} onAdded={onClose} />
            <p className="sheet__links" data-testid="sheet-links">
              <Link to={productPathFor(summary.id, source)}>{t('product.details')}</Link>
              {creatorId && <Link to={`/creators/${creatorId}`}>{t('product.creatorPage')}</Link>}
            </p>
          </>
        )}
      </div>
    </div>
  );
}

/** A product's pictures, variants, price, stock and "Add to cart" (the sheet's content; also the product page's); a visitor is asked to sign in first. */
export function ProductDetails({
  product,
  poster,
  source,
  creatorId,
  returnTo,
  placeholder = false,
  onAdded,
}: {
  product: Product;
  poster?: string | null;
  /** A product without pictures shows a placeholder where they would be (the product page's picture column). */
  placeholder?: boolean;
  source?: CartSource;
  creatorId?: string;
  returnTo?: string;
  onAdded: () => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const toast = useToast();
  const add = useAddToCart();
  const requireSignIn = useRequireSignIn();
  const navigate = useNavigate();
  // Archived variants are no longer for sale.
  const variants = product.variants.filter((v) => v.status !== 'archived');
  const [selection, setSelection] = useState(() => initialSelection(variants));
  const [quantity, setQuantity] = useState(1);
  const variant = findVariant(variants, selection) ?? (variants.length === 1 ? variants[0] : undefined);
  const available = variant?.available ?? 0;
  const images = product.images.length > 0 ? product.images : poster ? [poster] : [];
  const soldOut = !variant || available <= 0;

  /** Adds the chosen variant to the cart; "Buy now" then goes straight to checkout. */
  const submit = (buyNow: boolean) => {
    if (!variant) return;
    // A visitor signs in first, then comes back to this product (or where the caller says).
    if (!requireSignIn(returnTo ?? productPathFor(product.id, source))) return;
    add.mutate(
      { sku_id: variant.sku_id, quantity, ...(source && Object.keys(source).length > 0 ? { source } : {}) },
      {
        onSuccess: () => {
          track('add_to_cart', { product_id: product.id, sku_id: variant.sku_id, shop_id: product.shop_id, ...source, ...(creatorId ? { creator_id: creatorId } : {}) });
          if (buyNow) return navigate('/checkout');
          toast({ text: t('product.added', { title: product.title }), action: { label: t('product.viewCart'), to: '/cart' } });
          onAdded();
        },
      },
    );
  };

  return (
    <div className="sheet__content">
      {images.length > 0 ? (
        <div className="sheet__gallery">
          {images.map((src, i) => (
            <img key={src + i} src={src} alt={t('product.imageAlt', { title: product.title, n: i + 1 })} />
          ))}
        </div>
      ) : (
        placeholder && (
          <div className="sheet__gallery sheet__gallery--empty" data-testid="product-no-image">
            <ProductImage src={null} alt={product.title} />
          </div>
        )
      )}
      <div className="sheet__body">
        <p className="sheet__shop muted">{product.shop.name}</p>
        <h2 id="product-sheet-title" className="sheet__title">
          {product.title}
        </h2>
        <p className="sheet__price" data-testid="sheet-price">
          {variant ? fmt.money(variant.price) : null}
          {variant?.compare_at_price && variant.compare_at_price.amount > variant.price.amount && (
            <s className="muted" aria-label={t('product.compareAt', { price: fmt.money(variant.compare_at_price) })}>
              {fmt.money(variant.compare_at_price)}
            </s>
          )}
        </p>
        {product.option_names.length > 0 && (
          <VariantPicker
            optionNames={product.option_names}
            variants={variants}
            selection={selection}
            onChange={(next) => {
              setSelection(next);
              setQuantity(1);
            }}
          />
        )}
        <p className={`stock-line${soldOut ? ' stock-line--out' : ''}`} data-testid="stock">
          {soldOut ? t('product.outOfStock') : t('product.inStock', { quantity: fmt.number(available) })}
        </p>
        <div className="sheet__buy">
          <QuantityStepper label={t('product.quantity')} value={quantity} max={Math.max(1, Math.min(99, available))} disabled={soldOut} onChange={setQuantity} />
          <button type="button" className="button sheet__add" data-testid="add-to-cart" disabled={soldOut || add.isPending} onClick={() => submit(false)}>
            {add.isPending ? t('product.adding') : soldOut ? t('product.soldOut') : t('product.addToCart')}
          </button>
          {!soldOut && (
            <button type="button" className="button button--primary sheet__add" data-testid="buy-now" disabled={add.isPending} onClick={() => submit(true)}>
              {t('product.buyNow')}
            </button>
          )}
        </div>
        <FormError error={add.error} />
        {product.description && <p className="sheet__description">{product.description}</p>}
      </div>
    </div>
  );
}
