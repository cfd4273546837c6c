import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

/**
 * API errors keep English messages and stable codes; the web app shows its own translation of
 * the code (`errors.<code>`), or a translated generic message naming the code.
 */
export function useErrorMessage() {
  const { t, i18n } = useTranslation();
  return (err: unknown): string => {
    const code = err instanceof ApiError ? err.code : 'unknown';
    const key = `errors.${code}`;
    if (i18n.exists(key)) return t(key);
    return t('errors.generic', { code });
  };
}
