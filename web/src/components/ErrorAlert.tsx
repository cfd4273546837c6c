import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../lib/errors';

/** A failed load, translated from its error code, with a retry. */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  return (
    <div role="alert" className="alert alert--error alert--row">
      <span>{errorMessage(error)}</span>
      {onRetry && (
        <button type="button" className="button button--small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
