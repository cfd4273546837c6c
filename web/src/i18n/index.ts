import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../api';
import { mergeCatalogs, type Messages } from './merge';

export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

const files = import.meta.glob<Messages>('./locales/*/*.json', { eager: true, import: 'default' });
function catalog(locale: Locale): Messages {
  const prefix = `./locales/${locale}/`;
  return mergeCatalogs(Object.fromEntries(Object.entries(files).filter(([p]) => p.startsWith(prefix))));
}
/** Each language is named in itself, so people can find theirs whatever is showing. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };
/** Where an explicit choice made on this device is kept (signed-out pages use it). */
export const LANGUAGE_STORAGE_KEY = 'loopshop.language';

export function toLocale(lng: string | undefined | null): Locale {
  return lng?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function syncDocument(lng: string) {
  if (typeof document !== 'undefined') document.documentElement.lang = toLocale(lng);
}

i18n.on('languageChanged', syncDocument);

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: catalog('en') }, 'zh-CN': { translation: catalog('zh-CN') } },
    supportedLngs: [...LOCALES],
    fallbackLng: 'en',
    load: 'currentOnly',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    detection: {
      // An explicit choice on this device first, else the browser's languages.
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      // Only an explicit choice is stored (see lib/language.ts), so the app keeps following the
      // browser until the user picks a language.
      caches: [],
      convertDetectedLanguage: (lng: string) => (lng.toLowerCase().startsWith('zh') ? 'zh-CN' : lng.toLowerCase().startsWith('en') ? 'en' : lng),
    },
  });

syncDocument(i18n.resolvedLanguage ?? i18n.language);

export default i18n;
