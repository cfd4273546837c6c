import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CartGate } from './components/CartGate';
import { TrashIcon } from '../../components/Icons';
import { OrderTotals } from './components/OrderTotals';
import { PageHeader } from '../../components/PageHeader';
import { ProductImage } from '../../components/ProductImage';
import { QuantityStepper } from './components/QuantityStepper';
import { useCart, useRemoveCartItem, useUpdateCartItem } from '../../lib/cart';
import type { CartItem, CartShop } from '../../lib/commerce';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';

/** The cart, grouped per shop (each shop becomes its own order at checkout). */
export function Cart() {
  const { t } = useTranslation();
  const cart = useCart();

  return (
    <>
      <PageHeader title={t('cart.title')} subtitle={t('cart.subtitle')} />
      <CartGate cart={cart} emptyText={t('cart.empty.text')} testId="cart-empty">
        {(data) => (
          <div className="two-col">
            <div className="two-col__main">
              {data.shops.map((group) => (
                <ShopGroup key={group.shop.id} group={group} />
              ))}
            </div>
            <aside className="panel two-col__side" aria-labelledby="cart-summary-title" data-testid="cart-summary">
              <h2 id="cart-summary-title">{t('cart.summary')}</h2>
              <OrderTotals subtotal={data.subtotal} shipping={data.shipping} tax={data.tax} total={data.total} />
              {data.shops.length > 1 && <p className="field__hint">{t('cart.splitNote', { n: data.shops.length })}</p>}
              <Link to="/checkout" className="button button--primary button--block" data-testid="checkout-link">
                {t('cart.checkout')}
              </Link>
            </aside>
          </div>
        )}
      </CartGate>
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
        <p className="line-item__title">
          <Link to={`/products/${item.product_id}`}>{item.title}</Link>
        </p>
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
