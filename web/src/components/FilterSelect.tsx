import type { ReactNode, SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';

type Props = SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ReactNode };

/** A compact labelled select in a panel's head (which shop, which status, which market). */
export function FilterSelect({ label, children, ...select }: Props) {
  return (
    <label className="shop-picker">
      <span>{label}</span>
      <select {...select}>{children}</select>
    </label>
  );
}

/** A status filter for a queue: one of `statuses` (labelled from the `kind` catalog section), or all. */
export function StatusFilter<S extends string>({
  value,
  statuses,
  kind,
  testId,
  onChange,
}: {
  value: S | '';
  statuses: readonly S[];
  kind: string;
  testId?: string;
  onChange: (s: S | '') => void;
}) {
  const { t } = useTranslation();
  return (
    <FilterSelect label={t('operator.show')} value={value} onChange={(e) => onChange(e.target.value as S | '')} data-testid={testId}>
      <option value="">{t('operator.all')}</option>
      {statuses.map((s) => (
        <option key={s} value={s}>
          {t(`${kind}.${s}`)}
        </option>
      ))}
    </FilterSelect>
  );
}
