import { useEffect, useId, useRef } from 'react';
import { FormError } from './FormError';

/**
 * A modal question before an action that cannot be taken back: "keep" has the focus first and
 * Escape answers it (unless the action is under way); the action's error shows in the dialog.
 * Test ids: `<testId>-dialog`, and `<testId>-yes` on the action's button.
 */
export function ConfirmDialog(props: {
  title: string;
  text: string;
  keepLabel: string;
  yesLabel: string;
  busyLabel: string;
  danger?: boolean;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onConfirm: () => void;
  testId: string;
}) {
  const { pending, onClose } = props;
  const titleId = useId();
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !pending) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pending, onClose]);
  return (
    <div className="sheet-backdrop sheet-backdrop--center">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={`${props.testId}-dialog`}>
        <h2 id={titleId}>{props.title}</h2>
        <p>{props.text}</p>
        <FormError error={props.error} />
        <div className="dialog__actions">
          <button ref={first} type="button" className="button" disabled={pending} onClick={onClose}>
            {props.keepLabel}
          </button>
          <button
            type="button"
            className={`button ${props.danger ? 'button--danger' : 'button--primary'}`}
            disabled={pending}
            onClick={props.onConfirm}
            data-testid={`${props.testId}-yes`}
          >
            {pending ? props.busyLabel : props.yesLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
