import { useTranslation } from 'react-i18next';
import { formatRegion } from '../i18n/format';
import { COUNTRIES, type AddressForm } from '../lib/address';
import { useLocale } from '../lib/language';
import { Field } from './Field';

type Errors = Partial<Record<keyof AddressForm, string>>;

/**
 * An address form part: the checkout's shipping address by default; `legend`, `nameLabel`,
 * `withPhone` and `prefix` (field names, when several addresses share a form) adapt it, e.g. to a
 * warehouse.
 */
export function AddressFields({
  value,
  errors,
  onChange,
  legend,
  nameLabel,
  withPhone = true,
  prefix = '',
}: {
  value: AddressForm;
  errors: Errors;
  onChange: (next: AddressForm) => void;
  legend?: string;
  nameLabel?: string;
  withPhone?: boolean;
  prefix?: string;
}) {
  const { t } = useTranslation();
  const locale = useLocale();
  const set = (key: keyof AddressForm) => (e: { target: { value: string } }) => onChange({ ...value, [key]: e.target.value });
  const err = (key: keyof AddressForm) => (errors[key] ? t(errors[key]) : null);
  const countries = [...COUNTRIES].map((c) => ({ code: c, name: formatRegion(c, locale) })).sort((a, b) => a.name.localeCompare(b.name, locale));
  return (
    <fieldset className="form-section">
      <legend>{legend ?? t('checkout.address.title')}</legend>
      <Field label={nameLabel ?? t('checkout.address.name')} name={`${prefix}name`} autoComplete="shipping name" value={value.name} onChange={set('name')} error={err('name')} />
      <Field label={t('checkout.address.line1')} name={`${prefix}line1`} autoComplete="shipping address-line1" value={value.line1} onChange={set('line1')} error={err('line1')} />
      <Field
        label={t('checkout.address.line2')}
        name={`${prefix}line2`}
        autoComplete="shipping address-line2"
        value={value.line2}
        onChange={set('line2')}
        error={err('line2')}
        hint={t('common.optional')}
      />
      <div className="form-row">
        <Field label={t('checkout.address.city')} name={`${prefix}city`} autoComplete="shipping address-level2" value={value.city} onChange={set('city')} error={err('city')} />
        <Field
          label={t('checkout.address.region')}
          name={`${prefix}region`}
          autoComplete="shipping address-level1"
          value={value.region}
          onChange={set('region')}
          error={err('region')}
          hint={t('common.optional')}
        />
      </div>
      <div className="form-row">
        <Field
          label={t('checkout.address.postalCode')}
          name={`${prefix}postal_code`}
          autoComplete="shipping postal-code"
          value={value.postal_code}
          onChange={set('postal_code')}
          error={err('postal_code')}
        />
        <div className={`field${errors.country ? ' field--invalid' : ''}`}>
          <label htmlFor={`field-${prefix}country`}>{t('checkout.address.country')}</label>
          <select id={`field-${prefix}country`} name={`${prefix}country`} autoComplete="shipping country" value={value.country} onChange={set('country')}>
            {countries.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
          {errors.country && <p className="field__error">{t(errors.country)}</p>}
        </div>
      </div>
      {withPhone && (
        <Field
          label={t('checkout.address.phone')}
          name={`${prefix}phone`}
          type="tel"
          autoComplete="shipping tel"
          value={value.phone}
          onChange={set('phone')}
          error={err('phone')}
          hint={t('checkout.address.phoneHint')}
        />
      )}
    </fieldset>
  );
}
