import type { ReactNode, SelectHTMLAttributes } from 'react';

type Props = SelectHTMLAttributes<HTMLSelectElement> & { label: string; name: string; children: ReactNode };

/** A labelled select in a form (its options are the children); the id is `field-<name>`, like `Field`. */
export function SelectField({ label, name, children, ...select }: Props) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}
