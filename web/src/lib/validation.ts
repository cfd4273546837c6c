/** Client-side checks mirroring the API's schema; each returns a translation key or null. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(v: string): string | null {
  if (!v.trim()) return 'validation.emailRequired';
  if (!EMAIL.test(v.trim()) || v.length > 254) return 'validation.emailInvalid';
  return null;
}

export function checkPassword(v: string, { forNewAccount = false } = {}): string | null {
  if (!v) return 'validation.passwordRequired';
  if (forNewAccount && v.length < 8) return 'validation.passwordTooShort';
  if (v.length > 200) return 'validation.passwordTooLong';
  return null;
}

export function checkName(v: string): string | null {
  if (!v.trim()) return 'validation.nameRequired';
  if (v.length > 100) return 'validation.nameTooLong';
  return null;
}

/** Maps the API's `validation_failed` details (field "/body/email", "body/email", …) to form fields. */
export function fieldOf(apiField: string): string {
  const parts = apiField.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}
