import { useTranslation } from 'react-i18next';
import type { Locale } from '../api';
import { LANGUAGE_NAMES, LOCALES } from '../i18n';
import { useChooseLanguage, useLocale } from '../lib/language';
import { useMe } from '../lib/session';

/** English / 简体中文. Remembered on the account when signed in, on the device otherwise. */
export function LanguageSwitcher() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const locale = useLocale();
  const { choose } = useChooseLanguage(me);
  return (
    <label className="language-switcher">
      <span className="visually-hidden">{t('language.label')}</span>
      <span aria-hidden="true" className="language-switcher__icon">
        {/* A globe, so the control is recognisable in any language. */}
        <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.8">
          <circle cx="12" cy="12" r="9" />
          <path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z" />
        </svg>
      </span>
      <select
        data-testid="language-switcher"
        value={locale}
        title={t('language.label')}
        onChange={(e) => void choose(e.target.value as Locale)}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
