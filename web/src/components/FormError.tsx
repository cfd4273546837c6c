import { useErrorMessage } from '../lib/errors';

/** A failed submit, translated from its error code; nothing while there is none. */
export function FormError({ error }: { error: unknown }) {
  const errorMessage = useErrorMessage();
  if (error == null) return null;
  return (
    <p role="alert" className="error-text">
      {errorMessage(error)}
    </p>
  );
}
