import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Locale, type Me } from '../api';
import i18n, { LANGUAGE_STORAGE_KEY, LOCALES, toLocale } from '../i18n';
import { keys } from '../api/keys';

/** The language chosen explicitly on this device, if any. */
export function storedLanguageChoice(): Locale | null {
  try {
    const v = localStorage.getItem(LANGUAGE_STORAGE_KEY);
    return v && (LOCALES as readonly string[]).includes(v) ? (v as Locale) : null;
  } catch {
    return null;
  }
}

function rememberOnDevice(locale: Locale) {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, locale);
  } catch {
    // Storage blocked (private mode): the choice lasts for this page only.
  }
}

/** After sign-in the account's stored language wins over the browser and the device. */
export async function applyAccountLocale(locale: Locale | null | undefined): Promise<void> {
  if (!locale) return;
  rememberOnDevice(locale);
  if (toLocale(i18n.resolvedLanguage) !== locale) await i18n.changeLanguage(locale);
}

/** The active language (always one of LOCALES). */
export function useLocale(): Locale {
  const { i18n: instance } = useTranslation();
  return toLocale(instance.resolvedLanguage ?? instance.language);
}

/**
 * Switches the language: immediately on screen, on this device, and on the account when signed in
 * (`PATCH /v1/me { locale }`), so it follows the user to other devices.
 */
export function useChooseLanguage(me: Me | null | undefined) {
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: (locale: Locale) => api.updateMe({ locale }),
    // A slower answer to an older choice must not switch the screen back.
    onSuccess: (user, locale) => {
      if (locale === toLocale(i18n.resolvedLanguage)) qc.setQueryData(keys.me(), user);
    },
  });
  return {
    choose: async (locale: Locale) => {
      rememberOnDevice(locale);
      await i18n.changeLanguage(locale);
      if (me) save.mutate(locale);
    },
    error: save.error,
  };
}

/** Keeps the screen in the account's language whenever the account data (re)loads. */
export function useAccountLocaleSync(me: Me | null | undefined) {
  const locale = me?.locale;
  useEffect(() => {
    void applyAccountLocale(locale);
  }, [locale]);
}
