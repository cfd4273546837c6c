import { useErrorMessage } from '../lib/errors';

/** A failed submit, translated from its error code; nothing while there is none. */
export function FormError({ error, testId }: { error: unknown; testId?: string }) {
  const errorMessage = useErrorMessage();
  if (error == null) return null;
  return (
    <p role="alert" className="error-text" data-testid={testId}>
      {errorMessage(error)}
    </p>
  );
}
