import { useTranslation } from 'react-i18next';
import { CARRIERS } from '../lib/fulfillment';
import { SelectField } from './SelectField';

/** The carrier of a parcel, one of the supported carriers. */
export function CarrierField({ name, value, onChange }: { name: string; value: string; onChange: (carrier: string) => void }) {
  const { t } = useTranslation();
  return (
    <SelectField label={t('ship.carrier')} name={name} value={value} onChange={(e) => onChange(e.target.value)}>
      {CARRIERS.map((c) => (
        <option key={c} value={c}>
          {t(`carriers.${c}`)}
        </option>
      ))}
    </SelectField>
  );
}
