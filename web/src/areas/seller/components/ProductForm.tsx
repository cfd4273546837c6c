import { useTranslation } from 'react-i18next';
import { useFormat } from '../../../lib/format';
import { deriveVariants, IMAGE_URL_PLACEHOLDER, MAX_OPTIONS, type DraftErrors, type OptionDraft, type ProductDraft, type VariantDraft } from '../../../lib/productForm';
import { Field } from '../../../components/Field';
import { TrashIcon } from '../../../components/Icons';

/**
 * Create/edit form of a product: basics, options (up to three, values separated by commas) and
 * the variants grid with price, compare-at price, SKU code and stock per variant.
 */
export function ProductForm({
  draft,
  errors,
  currency,
  editing,
  onChange,
}: {
  draft: ProductDraft;
  errors: DraftErrors;
  currency: string;
  editing: boolean;
  onChange: (draft: ProductDraft) => void;
}) {
  const { t } = useTranslation();
  const err = (path: string) => (errors[path] ? t(errors[path]) : null);
  const setOptions = (options: OptionDraft[]) => onChange({ ...draft, options, variants: deriveVariants(options, draft.variants) });

  return (
    <>
      <fieldset className="form-section">
        <legend>{t('productForm.basics')}</legend>
        <Field label={t('productForm.title')} name="title" value={draft.title} maxLength={200} onChange={(e) => onChange({ ...draft, title: e.target.value })} error={err('title')} />
        <div className={`field${errors.description ? ' field--invalid' : ''}`}>
          <label htmlFor="field-description">{t('productForm.description')}</label>
          <textarea
            id="field-description"
            name="description"
            rows={4}
            value={draft.description}
            onChange={(e) => onChange({ ...draft, description: e.target.value })}
            aria-invalid={!!errors.description}
          />
          {errors.description ? <p className="field__error">{t(errors.description)}</p> : <p className="field__hint">{t('productForm.descriptionHint')}</p>}
        </div>
        <div className="form-row">
          <Field
            label={t('productForm.category')}
            name="category"
            value={draft.category}
            onChange={(e) => onChange({ ...draft, category: e.target.value })}
            error={err('category')}
            hint={t('productForm.categoryHint')}
          />
          <fieldset className="field radio-group">
            <legend>{t('productForm.status')}</legend>
            {EDITABLE_STATUSES.map((s) => (
              <label key={s} className="radio">
                <input type="radio" name="status" value={s} checked={draft.status === s} onChange={() => onChange({ ...draft, status: s })} />
                <span>{t(`productStatus.${s}`)}</span>
              </label>
            ))}
            <p className="field__hint">{draft.status === 'live' ? t('productForm.liveHint') : t('productForm.draftHint')}</p>
          </fieldset>
        </div>
        <div className={`field${errors.images ? ' field--invalid' : ''}`}>
          <label htmlFor="field-images">{t('productForm.images')}</label>
          <textarea
            id="field-images"
            name="images"
            rows={2}
            value={draft.images}
            placeholder={IMAGE_URL_PLACEHOLDER}
            onChange={(e) => onChange({ ...draft, images: e.target.value })}
            aria-invalid={!!errors.images}
          />
          {errors.images ? <p className="field__error">{t(errors.images)}</p> : <p className="field__hint">{t('productForm.imagesHint')}</p>}
        </div>
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('productForm.options')}</legend>
        <p className="field__hint">{editing ? t('productForm.optionsHintEdit') : t('productForm.optionsHint')}</p>
        {draft.options.map((o, i) => (
          <div key={i} className="option-row" data-testid="option-row">
            <Field
              label={t('productForm.optionName')}
              name={`option-${i}-name`}
              value={o.name}
              disabled={o.locked}
              placeholder={t('productForm.optionNamePlaceholder')}
              onChange={(e) => setOptions(draft.options.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
              error={err(`options.${i}.name`)}
            />
            <Field
              label={t('productForm.optionValues')}
              name={`option-${i}-values`}
              value={o.values}
              placeholder={t('productForm.optionValuesPlaceholder')}
              onChange={(e) => setOptions(draft.options.map((x, j) => (j === i ? { ...x, values: e.target.value } : x)))}
              error={err(`options.${i}.values`)}
            />
            {!o.locked && (
              <button
                type="button"
                className="icon-button option-row__remove"
                aria-label={t('productForm.removeOption', { name: o.name || t('productForm.optionN', { n: i + 1 }) })}
                onClick={() => {
                  const options = draft.options.filter((_, j) => j !== i);
                  const variants = options.length === 0 ? [{ ...(draft.variants[0] ?? blankVariant()), option_values: [] }] : draft.variants;
                  onChange({ ...draft, options, variants: deriveVariants(options, variants) });
                }}
              >
                <TrashIcon />
              </button>
            )}
          </div>
        ))}
        {!editing && draft.options.length < MAX_OPTIONS && (
          <button
            type="button"
            className="button button--small"
            onClick={() => {
              const options = [...draft.options, { name: '', values: '' }];
              onChange({ ...draft, options });
            }}
          >
            {t('productForm.addOption')}
          </button>
        )}
      </fieldset>

      <fieldset className="form-section">
        <legend>{t('productForm.variants', { n: draft.variants.length })}</legend>
        {errors.variants && <p className="field__error">{t(errors.variants)}</p>}
        <VariantsGrid draft={draft} errors={errors} currency={currency} onChange={(variants) => onChange({ ...draft, variants })} />
      </fieldset>
    </>
  );
}

const EDITABLE_STATUSES = ['draft', 'live'] as const;

type CellKey = 'price' | 'compare_at' | 'code' | 'stock';
const CELLS: { key: CellKey; labelKey: string; inputMode?: 'decimal' | 'numeric' }[] = [
  { key: 'price', labelKey: 'productForm.priceOf', inputMode: 'decimal' },
  { key: 'compare_at', labelKey: 'productForm.compareAtOf', inputMode: 'decimal' },
  { key: 'code', labelKey: 'productForm.codeOf' },
  { key: 'stock', labelKey: 'productForm.stockOf', inputMode: 'numeric' },
];

const blankVariant = (): VariantDraft => ({ option_values: [], price: '', compare_at: '', code: '', stock: '0' });

function VariantsGrid({
  draft,
  errors,
  currency,
  onChange,
}: {
  draft: ProductDraft;
  errors: DraftErrors;
  currency: string;
  onChange: (variants: VariantDraft[]) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const set = (i: number, key: CellKey, value: string) => onChange(draft.variants.map((v, j) => (j === i ? { ...v, [key]: value } : v)));
  return (
    <div className="table-wrap">
      <table className="table variants-grid" data-testid="variants-grid">
        <thead>
          <tr>
            <th scope="col">{t('productForm.variant')}</th>
            <th scope="col">{t('productForm.price', { currency })}</th>
            <th scope="col">{t('productForm.compareAt', { currency })}</th>
            <th scope="col">{t('productForm.code')}</th>
            <th scope="col">{t('productForm.stock')}</th>
          </tr>
        </thead>
        <tbody>
          {draft.variants.map((v, i) => {
            const name = v.option_values.length > 0 ? fmt.options(v.option_values) : t('productForm.defaultVariant');
            return (
              <tr key={v.sku_id ?? v.option_values.join('\u0000')} data-testid="variant-row">
                <th scope="row">
                  {name}
                  {!v.sku_id && draft.variants.some((x) => x.sku_id) && <span className="badge badge--info">{t('productForm.new')}</span>}
                </th>
                {CELLS.map(({ key, labelKey, inputMode }) => {
                  const e = errors[`variants.${i}.${key}`];
                  return (
                    <td key={key} className={e ? 'cell--invalid' : undefined}>
                      <input
                        aria-label={t(labelKey, { variant: name })}
                        name={`variant-${i}-${key}`}
                        value={v[key]}
                        inputMode={inputMode}
                        onChange={(ev) => set(i, key, ev.target.value)}
                        aria-invalid={!!e}
                      />
                      {e && <span className="cell__error">{t(e)}</span>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
