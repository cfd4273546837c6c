import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { keys } from '../api/keys';
import { content, type ExternalLinkInput } from '../lib/content';
import { FormError } from './FormError';
import { useToast } from './Toast';

interface Row extends ExternalLinkInput {
  key: number;
}

/** The row and part (`url`, `title`) a server error names: `details.field` like `body/links/2/url`, or validation details. */
function fieldErrors(error: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!(error instanceof ApiError)) return out;
  const details = error.code === 'validation_failed' ? error.fields : [error.details as { field?: string } | null];
  for (const d of details) {
    const m = d?.field?.match(/\/(\d+)\/(url|title)$/);
    if (!m) continue;
    const message = m[2] === 'title' ? 'externalLinks.invalidTitle' : error.code === 'invalid_external_url' ? 'externalLinks.invalidUrl' : 'externalLinks.urlRequired';
    out.set(`${m[1]}/${m[2]}`, message);
  }
  return out;
}

/**
 * External store links (semi-closed markets): add and remove up to `max` with a URL and an
 * optional title, saved all at once. Shown only while the user's market allows them (the API
 * tells: `POST /v1/links/check`); the server's refusals are shown on the row they name.
 */
export function ExternalLinksEditor({
  initial,
  max,
  save,
  onSaved,
  testId,
  title,
  hint,
}: {
  initial: ExternalLinkInput[];
  max: number;
  save: (links: ExternalLinkInput[]) => Promise<unknown>;
  onSaved: (result: unknown) => void;
  testId: string;
  title: string;
  hint: string;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const policy = useQuery({ queryKey: keys.linkCheck(''), queryFn: content.linkPolicy, staleTime: 60_000 });
  const [rows, setRows] = useState<Row[]>(() => initial.map((l, i) => ({ key: i, url: l.url, title: l.title ?? '' })));
  const [next, setNext] = useState(initial.length);
  const mutation = useMutation({
    mutationFn: () => save(rows.map((r) => ({ url: r.url.trim(), title: r.title?.trim() || null }))),
    onSuccess: (result) => {
      onSaved(result);
      toast({ text: t('externalLinks.saved') });
    },
  });
  if (policy.data?.mode !== 'semi_closed') return null;
  const errors = fieldErrors(mutation.error);
  const listError = mutation.error instanceof ApiError && errors.size === 0 ? mutation.error : null;
  const change = (key: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };
  return (
    <form className="form stack" onSubmit={submit} noValidate data-testid={testId} aria-labelledby={`${testId}-title`}>
      <h2 id={`${testId}-title`}>{title}</h2>
      <p className="muted">{hint}</p>
      {rows.length === 0 && <p className="muted">{t('externalLinks.none')}</p>}
      {rows.map((r, i) => {
        const urlError = errors.get(`${i}/url`);
        const titleError = errors.get(`${i}/title`);
        return (
          <fieldset key={r.key} className="external-link-row" data-testid="external-link-row">
            <legend className="visually-hidden">{t('externalLinks.row', { n: i + 1 })}</legend>
            <div className={`field${urlError ? ' field--invalid' : ''}`}>
              <label htmlFor={`${testId}-url-${r.key}`}>{t('externalLinks.url')}</label>
              <input
                id={`${testId}-url-${r.key}`}
                type="url"
                inputMode="url"
                placeholder={t('externalLinks.urlPlaceholder')}
                maxLength={2000}
                value={r.url}
                onChange={(e) => change(r.key, { url: e.target.value })}
                aria-invalid={urlError ? true : undefined}
                data-testid="external-link-url"
              />
              {urlError && <p className="field__error" data-testid="external-link-url-error">{t(urlError)}</p>}
            </div>
            <div className={`field${titleError ? ' field--invalid' : ''}`}>
              <label htmlFor={`${testId}-title-${r.key}`}>{t('externalLinks.title')}</label>
              <input
                id={`${testId}-title-${r.key}`}
                maxLength={200}
                value={r.title ?? ''}
                onChange={(e) => change(r.key, { title: e.target.value })}
                data-testid="external-link-title"
              />
              {titleError && <p className="field__error">{t(titleError)}</p>}
            </div>
            <button type="button" className="button button--small" onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))} data-testid="external-link-remove">
              {t('externalLinks.remove')}
            </button>
          </fieldset>
        );
      })}
      {listError?.code === 'invalid_anchor' ? (
        <p role="alert" className="error-text" data-testid="external-links-error">
          {t('externalLinks.tooMany', { max })}
        </p>
      ) : (
        <FormError error={listError} testId="external-links-error" />
      )}
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={rows.length >= max}
          onClick={() => {
            setRows((rs) => [...rs, { key: next, url: '', title: '' }]);
            setNext((n) => n + 1);
          }}
          data-testid="external-link-add"
        >
          {t('externalLinks.add')}
        </button>
        <button type="submit" className="button button--primary" disabled={mutation.isPending} data-testid="external-links-save">
          {t('externalLinks.save')}
        </button>
        <span className="muted">{t('externalLinks.limit', { count: rows.length, max })}</span>
      </div>
    </form>
  );
}
