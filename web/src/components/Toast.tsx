import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router';

export interface ToastMessage {
  text: string;
  action?: { label: string; to: string };
  tone?: 'ok' | 'error';
  /** The page the action is about to open, where the toast should stay. */
  path?: string;
}

const ToastContext = createContext<(toast: ToastMessage) => void>(() => {});

/** Short confirmations ("Added to cart"), announced politely to screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<(ToastMessage & { id: number }) | null>(null);
  const show = useCallback((t: ToastMessage) => setToast({ ...t, id: Date.now() }), []);
  const { pathname } = useLocation();
  // Going to another page dismisses a confirmation, unless it was meant for that page.
  const lastPath = useRef(pathname);
  useEffect(() => {
    if (lastPath.current === pathname) return;
    lastPath.current = pathname;
    setToast((t) => (t && t.path === pathname ? t : null));
  }, [pathname]);
  useEffect(() => {
    if (!toast) return;
    const id = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(id);
  }, [toast]);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toast-region" role="status" aria-live="polite">
        {toast && (
          <div key={toast.id} className={`toast toast--${toast.tone ?? 'ok'}`} data-testid="toast">
            <span>{toast.text}</span>
            {toast.action && (
              <Link to={toast.action.to} className="toast__action" onClick={() => setToast(null)}>
                {toast.action.label}
              </Link>
            )}
          </div>
        )}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
