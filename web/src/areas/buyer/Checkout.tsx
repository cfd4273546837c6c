import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api';
import { AddressFields } from '../../components/AddressFields';
import { BankVerification } from './components/BankVerification';
import { CardFields } from './components/CardFields';
import { CartGate } from './components/CartGate';
import { OrderPlaced } from './components/OrderPlaced';
import { OrderTotals } from './components/OrderTotals';
import { VerificationActions } from './components/VerificationActions';
import { PageHeader } from '../../components/PageHeader';
import { checkAddress, EMPTY_ADDRESS, toShippingAddress, type AddressForm } from '../../lib/address';
import { checkCard, digitsOf, parseExpiry, type CardForm } from '../../lib/cards';
import { CART_KEY, useCart } from '../../lib/cart';
import { awaitingPaymentOf, commerce, newIdempotencyKey, type Cart, type CheckoutResult } from '../../lib/commerce';
import { useErrorMessage } from '../../lib/errors';
import { useFormat } from '../../lib/format';
import { useMe } from '../../lib/session';
import { useCheckoutStarted } from '../../lib/trackers';
import { keys } from '../../api/keys';

/** The errors of the fields the user has not changed since they were reported. */
function withoutChanged<T extends object>(errors: Partial<Record<keyof T, string>>, before: T, after: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(errors).filter(([k]) => before[k as keyof T] === after[k as keyof T])) as Partial<Record<keyof T, string>>;
}

type Stage = { step: 'form' } | { step: 'verify'; result: CheckoutResult } | { step: 'done'; result: CheckoutResult };

/** Answers after which the same request may be sent again safely with the same key. */
const retryable = (err: unknown) => err instanceof ApiError && (err.status === 0 || err.status >= 500 || err.code === 'idempotency_in_progress');

/**
 * Address, card, summary and Pay. One Idempotency-Key per checkout attempt: a retry of the same
 * request after a network failure reuses it, so the buyer can never pay twice.
 */
export function Checkout() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const errorMessage = useErrorMessage();
  const { data: me } = useMe();
  const cart = useCart();
  useCheckoutStarted(cart.data);
  const [address, setAddress] = useState<AddressForm>(() => ({ ...EMPTY_ADDRESS, name: me?.name ?? '' }));
  const [card, setCard] = useState<CardForm>({ number: '', expiry: '', cvc: '' });
  const [errors, setErrors] = useState<{ address: ReturnType<typeof checkAddress>; card: ReturnType<typeof checkCard> }>({ address: {}, card: {} });
  const [stage, setStage] = useState<Stage>({ step: 'form' });
  const [shopNames, setShopNames] = useState<Record<string, string>>({});
  const [verifyError, setVerifyError] = useState<unknown>(null);
  const attempt = useRef<{ body: string; key: string } | null>(null);
  const errorBox = useRef<HTMLDivElement>(null);

  const finish = (result: CheckoutResult) => {
    void qc.invalidateQueries({ queryKey: CART_KEY });
    void qc.invalidateQueries({ queryKey: keys.orders() });
    setStage(result.payment.status === 'requires_action' ? { step: 'verify', result } : { step: 'done', result });
  };

  const pay = useMutation({
    mutationFn: ({ body, key }: { body: Parameters<typeof commerce.checkout>[0]; key: string }) => commerce.checkout(body, key),
    onSuccess: finish,
    onError: (err) => {
      if (!retryable(err)) attempt.current = null;
      // A decline leaves the cart as it was; stock problems change it.
      if (err instanceof ApiError && (err.code === 'out_of_stock' || err.code === 'cart_empty')) void qc.invalidateQueries({ queryKey: CART_KEY });
    },
  });

  const failure = pay.error ?? verifyError;
  // An order of these items already waits for its verification: offered here instead of a second one.
  const waiting = awaitingPaymentOf(pay.error);
  // The answer to Pay shows at the top of the form: bring it into view (the button may be far below).
  useEffect(() => {
    if (failure) errorBox.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [failure]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { address: checkAddress(address), card: checkCard(card) };
    setErrors(next);
    if (Object.keys(next.address).length > 0 || Object.keys(next.card).length > 0) return;
    const exp = parseExpiry(card.expiry)!;
    const body = {
      shipping_address: toShippingAddress(address),
      payment_method: { type: 'card' as const, number: digitsOf(card.number), exp_month: exp.month, exp_year: exp.year, cvc: card.cvc.trim() },
    };
    const json = JSON.stringify(body);
    if (!attempt.current || attempt.current.body !== json) attempt.current = { body: json, key: newIdempotencyKey() };
    setVerifyError(null);
    if (cart.data) setShopNames(Object.fromEntries(cart.data.shops.map((s) => [s.shop.id, s.shop.name])));
    pay.mutate({ body, key: attempt.current.key });
  };

  if (stage.step === 'done') {
    return (
      <>
        <PageHeader title={t('checkout.done.title')} />
        <OrderPlaced result={stage.result} shopNames={shopNames} />
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('checkout.title')} subtitle={t('checkout.subtitle')} />
      {stage.step === 'verify' && (
        <BankVerification
          result={stage.result}
          onDone={(result) => {
            attempt.current = null;
            finish(result);
          }}
          onFailed={(err) => {
            attempt.current = null;
            pay.reset();
            setVerifyError(err);
            setStage({ step: 'form' });
          }}
          onClose={() => {
            // Left unanswered: the order waits for the verification on its page.
            void qc.invalidateQueries({ queryKey: keys.orders() });
            void navigate(`/orders/${stage.result.orders[0]!.id}`);
          }}
        />
      )}
      <CartGate cart={cart} emptyText={t('checkout.emptyText')} testId="checkout-empty">
        {(data) => (
          <form className="two-col" onSubmit={submit} noValidate data-testid="checkout-form">
            <div className="two-col__main panel">
              {(pay.error || verifyError !== null) && (
                <div ref={errorBox} tabIndex={-1} role="alert" className="alert alert--error" data-testid="checkout-error">
                  {errorMessage(pay.error ?? verifyError)}
                  {pay.error instanceof ApiError && pay.error.code === 'out_of_stock' && (
                    <>
                      {' '}
                      <Link to="/cart">{t('checkout.reviewCart')}</Link>
                    </>
                  )}
                  {waiting && (
                    <>
                      {' '}
                      <Link to={`/orders/${waiting.order_ids[0]}`}>{t('verification.viewOrder')}</Link>
                      <VerificationActions
                        paymentId={waiting.payment_id}
                        onGone={(outcome) => {
                          attempt.current = null;
                          pay.reset();
                          if (outcome === 'paid') void navigate(`/orders/${waiting.order_ids[0]}`);
                        }}
                      />
                    </>
                  )}
                </div>
              )}
              <AddressFields
                value={address}
                errors={errors.address}
                onChange={(next) => {
                  setAddress(next);
                  setErrors((e) => ({ ...e, address: withoutChanged(e.address, address, next) }));
                }}
              />
              <CardFields
                value={card}
                errors={errors.card}
                onChange={(next) => {
                  setCard(next);
                  setErrors((e) => ({ ...e, card: withoutChanged(e.card, card, next) }));
                }}
              />
            </div>
            <CheckoutSummary cart={data} paying={pay.isPending} />
          </form>
        )}
      </CartGate>
    </>
  );
}

function CheckoutSummary({ cart, paying }: { cart: Cart; paying: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <aside className="panel two-col__side" aria-labelledby="checkout-summary-title" data-testid="checkout-summary">
      <h2 id="checkout-summary-title">{t('checkout.summary')}</h2>
      {cart.shops.map((group) => (
        <div key={group.shop.id} className="summary-shop">
          <p className="summary-shop__name">{group.shop.name}</p>
          <ul className="summary-lines">
            {group.items.map((item) => (
              <li key={item.id}>
                <span>
                  {t('checkout.lineQuantity', { title: item.title, quantity: fmt.number(item.quantity) })}
                  {item.option_values.length > 0 && <span className="muted"> {fmt.options(item.option_values)}</span>}
                </span>
                <span>{fmt.money(item.line_total)}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <OrderTotals subtotal={cart.subtotal} shipping={cart.shipping} tax={cart.tax} total={cart.total} />
      <button type="submit" className="button button--primary button--block" disabled={paying} data-testid="pay-button">
        {paying ? t('checkout.paying') : t('checkout.pay', { total: fmt.money(cart.total) })}
      </button>
      <p className="field__hint">{t('checkout.escrowNote')}</p>
    </aside>
  );
}
