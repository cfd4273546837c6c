import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../components/EmptyState';

export function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <EmptyState title={t('notFound.title')}>
        <p>{t('notFound.text')}</p>
        <Link to="/feed" className="button">
          {t('notFound.back')}
        </Link>
      </EmptyState>
    </section>
  );
}
