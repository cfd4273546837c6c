import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from './LanguageSwitcher';

/** Frame of the signed-out pages: brand, pitch, language switcher, a card for the form. */
export function AuthLayout({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth">
      <div className="auth__top">
        <span className="brand">
          <span className="brand__mark" aria-hidden="true" />
          {t('app.name')}
        </span>
        <LanguageSwitcher />
      </div>
      <main className="auth__main">
        <section className="auth__pitch">
          <h2>{t('app.tagline')}</h2>
          <p className="muted">{t('app.pitch')}</p>
        </section>
        <section className="card auth__card">
          <h1>{title}</h1>
          {children}
        </section>
        {aside}
      </main>
    </div>
  );
}
