import { useTranslation } from 'react-i18next';
import { CARD_NUMBER_PLACEHOLDER, formatCardNumber, formatExpiry, SANDBOX_CARDS, type CardForm } from '../../../lib/cards';
import { Field } from '../../../components/Field';

type Errors = Partial<Record<keyof CardForm, string>>;

/** Card number, MM/YY and CVC, with the sandbox test cards as a hint. */
export function CardFields({ value, errors, onChange }: { value: CardForm; errors: Errors; onChange: (next: CardForm) => void }) {
  const { t } = useTranslation();
  const err = (key: keyof CardForm) => (errors[key] ? t(errors[key]) : null);
  return (
    <fieldset className="form-section">
      <legend>{t('checkout.card.title')}</legend>
      <Field
        label={t('checkout.card.number')}
        name="card_number"
        inputMode="numeric"
        autoComplete="cc-number"
        placeholder={CARD_NUMBER_PLACEHOLDER}
        value={value.number}
        onChange={(e) => onChange({ ...value, number: formatCardNumber(e.target.value) })}
        error={err('number')}
      />
      <div className="form-row">
        <Field
          label={t('checkout.card.expiry')}
          name="card_expiry"
          inputMode="numeric"
          autoComplete="cc-exp"
          placeholder={t('checkout.card.expiryPlaceholder')}
          value={value.expiry}
          onChange={(e) => onChange({ ...value, expiry: formatExpiry(e.target.value) })}
          error={err('expiry')}
        />
        <Field
          label={t('checkout.card.cvc')}
          name="card_cvc"
          inputMode="numeric"
          autoComplete="cc-csc"
          maxLength={4}
          value={value.cvc}
          onChange={(e) => onChange({ ...value, cvc: e.target.value.replace(/\D/g, '').slice(0, 4) })}
          error={err('cvc')}
        />
      </div>
      <div className="test-cards" data-testid="test-cards">
        <p className="test-cards__title">{t('checkout.card.test.title')}</p>
        <ul>
          {SANDBOX_CARDS.map((c) => (
            <li key={c.number}>
              <button type="button" className="link-button" onClick={() => onChange({ ...value, number: c.number })} aria-label={t('checkout.card.test.use', { number: c.number })}>
                <code>{c.number}</code>
              </button>
              <span className="muted">{t(c.outcomeKey)}</span>
            </li>
          ))}
        </ul>
        <p className="field__hint">{t('checkout.card.test.note')}</p>
      </div>
    </fieldset>
  );
}
