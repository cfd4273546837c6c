import { useTranslation } from 'react-i18next';
import type { Variant } from '../../../lib/commerce';
import { choose, optionValues, valueAvailable } from '../../../lib/variants';

/** One row of choices per option name (Color: Red Blue · Size: S M L). */
export function VariantPicker({
  optionNames,
  variants,
  selection,
  onChange,
}: {
  optionNames: string[];
  variants: Variant[];
  selection: string[];
  onChange: (selection: string[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="variant-picker">
      {optionNames.map((name, index) => (
        <fieldset key={name} className="variant-picker__option">
          <legend>
            <span>{name}</span>
            {selection[index] && <span className="muted">{selection[index]}</span>}
          </legend>
          <div className="chips">
            {optionValues(variants, index).map((value) => {
              const available = valueAvailable(variants, selection, index, value);
              return (
                <button
                  key={value}
                  type="button"
                  className={`chip${available ? '' : ' chip--unavailable'}`}
                  aria-pressed={selection[index] === value}
                  title={available ? undefined : t('product.outOfStock')}
                  onClick={() => onChange(choose(variants, selection, index, value))}
                >
                  {value}
                </button>
              );
            })}
          </div>
        </fieldset>
      ))}
    </div>
  );
}
