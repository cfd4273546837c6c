import { useTranslation } from 'react-i18next';

/** − n + with accessible names; the value stays within min…max. */
export function QuantityStepper({
  value,
  min = 1,
  max = 99,
  disabled,
  onChange,
  label,
}: {
  value: number;
  min?: number;
  max?: number;
  disabled?: boolean;
  onChange: (value: number) => void;
  label: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="stepper" role="group" aria-label={label}>
      <button type="button" aria-label={t('common.decrease')} disabled={disabled || value <= min} onClick={() => onChange(Math.max(min, value - 1))}>
        −
      </button>
      <output aria-live="polite" data-testid="quantity">
        {value}
      </output>
      <button type="button" aria-label={t('common.increase')} disabled={disabled || value >= max} onClick={() => onChange(Math.min(max, value + 1))}>
        +
      </button>
    </div>
  );
}
