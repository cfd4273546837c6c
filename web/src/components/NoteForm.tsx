import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from './FormError';

/**
 * A short form with a note (why a flag is cleared, why a case is rejected…): the note is
 * required unless `optional`; `children` adds fields above it; the server's error shows by code.
 */
export function NoteForm({
  name,
  label,
  submitLabel,
  pending,
  error,
  optional = false,
  danger = false,
  children,
  onSubmit,
}: {
  name: string;
  label: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  optional?: boolean;
  danger?: boolean;
  children?: ReactNode;
  onSubmit: (note: string) => void;
}) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  const id = `field-${name}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!optional && !note.trim()) setMissing(true);
    else onSubmit(note.trim());
  };
  return (
    <form className="form" onSubmit={submit} noValidate data-testid={`${name}-form`}>
      {children}
      <div className={`field${missing ? ' field--invalid' : ''}`}>
        <label htmlFor={id}>
          {label}
          {optional && <span className="muted"> ({t('common.optional')})</span>}
        </label>
        <textarea id={id} name={name} rows={2} maxLength={2000} value={note} aria-invalid={missing} onChange={(e) => {
            setNote(e.target.value);
            setMissing(false);
          }} />
        {missing && <p className="field__error">{t('validation.noteRequired')}</p>}
      </div>
      <FormError error={error} />
      <button type="submit" className={`button ${danger ? 'button--danger' : 'button--primary'}`} disabled={pending}>
        {submitLabel}
      </button>
    </form>
  );
}
