import { useTranslation } from 'react-i18next';
import type { Money } from '../../../i18n/format';
import { useFormat } from '../../../lib/format';

/** Subtotal, shipping, tax and total, as the server computed them. */
export function OrderTotals({ subtotal, shipping, tax, total }: { subtotal: Money | null; shipping: Money | null; tax: Money | null; total: Money | null }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <dl className="totals" data-testid="totals">
      <div>
        <dt>{t('cart.subtotal')}</dt>
        <dd>{fmt.money(subtotal)}</dd>
      </div>
      <div>
        <dt>{t('cart.shipping')}</dt>
        <dd>{shipping && shipping.amount === 0 ? t('cart.freeShipping') : fmt.money(shipping)}</dd>
      </div>
      <div>
        <dt>{t('cart.tax')}</dt>
        <dd>{fmt.money(tax)}</dd>
      </div>
      <div className="totals__total">
        <dt>{t('cart.total')}</dt>
        <dd data-testid="total">{fmt.money(total)}</dd>
      </div>
    </dl>
  );
}
