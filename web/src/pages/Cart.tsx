import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../components/EmptyState';
import { ErrorAlert } from '../components/ErrorAlert';
import { CartIcon, TrashIcon } from '../components/Icons';
import { Loading } from '../components/Loading';
import { OrderTotals } from '../components/OrderTotals';
import { PageHeader } from '../components/PageHeader';
import { ProductImage } from '../components/ProductImage';
import { QuantityStepper } from '../components/QuantityStepper';
import { useCart, useRemoveCartItem, useUpdateCartItem } from '../lib/cart';
import type { CartItem, CartShop } from '../lib/commerce';
import { useErrorMessage } from '../lib/errors';
import { useFormat } from '../lib/format';

/** The cart, grouped per shop (each shop becomes its own order at checkout). */
export function Cart() {
  const { t } = useTranslation();
  const cart = useCart();

  return (
    <>
      <PageHeader title={t('cart.title')} subtitle={t('cart.subtitle')} />
      {cart.isPending ? (
        <Loading />
      ) : cart.isError ? (
        <ErrorAlert error={cart.error} onRetry={() => void cart.refetch()} />
      ) : cart.data.shops.length === 0 ? (
        <section className="panel">
          <EmptyState title={t('cart.empty.title')} icon={<CartIcon />} testId="cart-empty">
            <p>{t('cart.empty.text')}</p>
            <Link to="/feed" className="button button--primary">
              {t('cart.empty.browse')}
            </Link>
          </EmptyState>
        </section>
      ) : (
        <div className="two-col">
          <div className="two-col__main">
            {cart.data.shops.map((group) => (
              <ShopGroup key={group.shop.id} group={group} />
            ))}
          </div>
          <aside className="panel two-col__side" aria-labelledby="cart-summary-title" data-testid="cart-summary">
            <h2 id="cart-summary-title">{t('cart.summary')}</h2>
            <OrderTotals subtotal={cart.data.subtotal} shipping={cart.data.shipping} tax={cart.data.tax} total={cart.data.total} />
            {cart.data.shops.length > 1 && <p className="field__hint">{t('cart.splitNote', { n: cart.data.shops.length })}</p>}
            <Link to="/checkout" className="button button--primary button--block" data-testid="checkout-link">
              {t('cart.checkout')}
            </Link>
          </aside>
        </div>
      )}
    </>
  );
}

function ShopGroup({ group }: { group: CartShop }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <section className="panel cart-shop" aria-labelledby={`cart-shop-${group.shop.id}`} data-testid="cart-shop">
      <h2 id={`cart-shop-${group.shop.id}`}>{group.shop.name}</h2>
      <ul className="line-items">
        {group.items.map((item) => (
          <CartLine key={item.id} item={item} />
        ))}
      </ul>
      <dl className="totals totals--compact">
        <div>
          <dt>{t('cart.shopSubtotal')}</dt>
          <dd>{fmt.money(group.subtotal)}</dd>
        </div>
        <div>
          <dt>{t('cart.shipping')}</dt>
          <dd>{group.shipping_fee.amount === 0 ? t('cart.freeShipping') : fmt.money(group.shipping_fee)}</dd>
        </div>
      </dl>
    </section>
  );
}

function CartLine({ item }: { item: CartItem }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const errorMessage = useErrorMessage();
  const update = useUpdateCartItem();
  const remove = useRemoveCartItem();
  const gone = item.sellable === false;
  const short = !gone && item.available < item.quantity;
  const busy = update.isPending || remove.isPending;
  return (
    <li className="line-item" data-testid="cart-item">
      <ProductImage src={item.image} alt={item.title} className="line-item__image" />
      <div className="line-item__info">
        <p className="line-item__title">{item.title}</p>
        {item.option_values.length > 0 && <p className="muted line-item__options">{fmt.options(item.option_values)}</p>}
        <p className="muted">{t('cart.each', { price: fmt.money(item.unit_price) })}</p>
        {gone && <p className="error-text">{t('cart.notForSale')}</p>}
        {short && (
          <p className="error-text">{item.available > 0 ? t('cart.onlyLeft', { n: fmt.number(item.available) }) : t('product.outOfStock')}</p>
        )}
        {(update.error || remove.error) && (
          <p role="alert" className="error-text">
            {errorMessage(update.error ?? remove.error)}
          </p>
        )}
      </div>
      <div className="line-item__actions">
        <QuantityStepper
          label={t('cart.quantityOf', { title: item.title })}
          value={item.quantity}
          max={Math.max(item.quantity, Math.min(99, item.available))}
          disabled={busy}
          onChange={(quantity) => update.mutate({ id: item.id, quantity })}
        />
        <strong className="line-item__total">{fmt.money(item.line_total)}</strong>
        <button
          type="button"
          className="icon-button"
          aria-label={t('cart.remove', { title: item.title })}
          title={t('cart.remove', { title: item.title })}
          disabled={busy}
          onClick={() => remove.mutate(item.id)}
        >
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}
