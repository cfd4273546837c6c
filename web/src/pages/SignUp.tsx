import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api';
import { AuthLayout } from '../components/AuthLayout';
import { Field } from '../components/Field';
import { useErrorMessage } from '../lib/errors';
import { safeReturnPath } from '../lib/returnPath';
import { useMe, useSignUp } from '../lib/session';
import { checkEmail, checkName, checkPassword, fieldOf } from '../lib/validation';

type Errors = { name?: string | null; email?: string | null; password?: string | null };

/** The i18n key saying why the server refused a new password (422 weak_password, details.reason). */
function weakPasswordMessage(details: unknown): string {
  const reason = (details as { reason?: unknown } | null)?.reason;
  if (reason === 'contains_email') return 'validation.weakPasswordContainsEmail';
  if (reason === 'common') return 'validation.weakPasswordCommon';
  return 'validation.weakPasswordGuessable';
}

export function SignUp() {
  const { t } = useTranslation();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const me = useMe();
  const signUp = useSignUp();
  const [params] = useSearchParams();
  const returnTo = safeReturnPath(params.get('next'));
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Errors>({});

  if (me.data) return <Navigate to={returnTo ?? '/feed'} replace />;

  const set = (key: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: Errors = {
      name: checkName(form.name),
      email: checkEmail(form.email),
      password: checkPassword(form.password, { forNewAccount: true }),
    };
    setErrors(next);
    if (next.name || next.email || next.password) return;
    signUp.mutate(
      { name: form.name.trim(), email: form.email.trim(), password: form.password },
      {
        onSuccess: () => navigate(returnTo ?? '/feed', { replace: true }),
        onError: (err) => {
          if (err instanceof ApiError && err.code === 'email_taken') setErrors({ email: 'errors.email_taken' });
          if (err instanceof ApiError && err.code === 'weak_password') setErrors({ password: weakPasswordMessage(err.details) });
          if (err instanceof ApiError && err.code === 'validation_failed') {
            const fromApi: Errors = {};
            for (const d of err.fields) {
              const f = fieldOf(d.field);
              if (f === 'name' || f === 'email' || f === 'password') fromApi[f] = 'validation.invalid';
            }
            setErrors(fromApi);
          }
        },
      },
    );
  };

  return (
    <AuthLayout title={t('signUp.title')}>
      <form onSubmit={submit} noValidate className="form" data-testid="sign-up-form">
        {signUp.error && (
          <div role="alert" className="alert alert--error" data-testid="form-error">
            {errorMessage(signUp.error)}
          </div>
        )}
        <Field label={t('fields.name')} name="name" autoComplete="name" value={form.name} onChange={set('name')} error={errors.name ? t(errors.name) : null} />
        <Field
          label={t('fields.email')}
          name="email"
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          error={errors.email ? t(errors.email) : null}
        />
        <Field
          label={t('fields.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          hint={t('signUp.passwordHint')}
          error={errors.password ? t(errors.password) : null}
        />
        <button type="submit" className="button button--primary button--block" disabled={signUp.isPending}>
          {signUp.isPending ? t('signUp.submitting') : t('signUp.submit')}
        </button>
        <p className="form__switch">
          {t('signUp.haveAccount')} <Link to={returnTo ? `/sign-in?next=${encodeURIComponent(returnTo)}` : '/sign-in'}>{t('signUp.toSignIn')}</Link>
        </p>
      </form>
    </AuthLayout>
  );
}
