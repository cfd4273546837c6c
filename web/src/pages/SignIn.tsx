import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { AuthLayout } from '../components/AuthLayout';
import { Field } from '../components/Field';
import { useErrorMessage } from '../lib/errors';
import { safeReturnPath } from '../lib/returnPath';
import { useMe, useSignIn } from '../lib/session';
import { checkEmail, checkPassword } from '../lib/validation';

const DEMO_PASSWORD = 'loopshop-demo';
const DEMO_ACCOUNTS = [
  { email: 'buyer@demo.loopshop.dev', roleKey: 'roles.buyer' },
  { email: 'seller@demo.loopshop.dev', roleKey: 'roles.seller' },
  { email: 'creator@demo.loopshop.dev', roleKey: 'roles.creator' },
  { email: 'operator@demo.loopshop.dev', roleKey: 'roles.operator' },
  { email: 'applicant@demo.loopshop.dev', roleKey: 'roles.applicant' },
];

export function SignIn() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const me = useMe();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string | null; password?: string | null }>({});

  // Back to where the visitor was (`?next=`, validated: this site's pages only), else the feed.
  const next = safeReturnPath(params.get('next')) ?? safeReturnPath((location.state as { from?: string } | null)?.from);
  const target = next ?? '/feed';
  if (me.data) return <Navigate to={target} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { email: checkEmail(email), password: checkPassword(password) };
    setErrors(next);
    if (next.email || next.password) return;
    signIn.mutate(
      { email: email.trim(), password },
      { onSuccess: () => navigate(target, { replace: true }) },
    );
  };

  return (
    <AuthLayout
      title={t('signIn.title')}
      aside={
        <aside className="card demo-hint" aria-labelledby="demo-hint-title">
          <h2 id="demo-hint-title">{t('signIn.demo.title')}</h2>
          <p className="muted">{t('signIn.demo.text', { password: DEMO_PASSWORD })}</p>
          <ul>
            {DEMO_ACCOUNTS.map((a) => (
              <li key={a.email}>
                <span className="demo-hint__role">{t(a.roleKey)}</span>
                <code>{a.email}</code>
                <button
                  type="button"
                  className="button button--small button--ghost"
                  aria-label={t('signIn.demo.useLabel', { email: a.email })}
                  onClick={() => {
                    setEmail(a.email);
                    setPassword(DEMO_PASSWORD);
                    setErrors({});
                  }}
                >
                  {t('signIn.demo.use')}
                </button>
              </li>
            ))}
          </ul>
        </aside>
      }
    >
      {next && (
        <p className="muted" data-testid="sign-in-return">
          {t('visitor.returnHint')}{' '}
          {/* "Keep watching" only back to a page anyone can watch (an account page would ask again). */}
          {/^\/(feed|live|products|creators)(\/|$|\?)/.test(next) && <Link to={next}>{t('visitor.keepWatching')}</Link>}
        </p>
      )}
      <form onSubmit={submit} noValidate className="form" data-testid="sign-in-form">
        {signIn.error && (
          <div role="alert" className="alert alert--error" data-testid="form-error">
            {errorMessage(signIn.error)}
          </div>
        )}
        <Field
          label={t('fields.email')}
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email ? t(errors.email) : null}
        />
        <Field
          label={t('fields.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password ? t(errors.password) : null}
        />
        <button type="submit" className="button button--primary button--block" disabled={signIn.isPending}>
          {signIn.isPending ? t('signIn.submitting') : t('signIn.submit')}
        </button>
        <p className="form__switch">
          {t('signIn.noAccount')} <Link to={next ? `/sign-up?next=${encodeURIComponent(next)}` : '/sign-up'}>{t('signIn.toSignUp')}</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
