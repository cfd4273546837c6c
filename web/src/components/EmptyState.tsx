import type { ReactNode } from 'react';

export function EmptyState({ title, children, icon, testId }: { title: string; children?: ReactNode; icon?: ReactNode; testId?: string }) {
  return (
    <div className="empty-state" data-testid={testId}>
      {icon && (
        <div className="empty-state__icon" aria-hidden="true">
          {icon}
        </div>
      )}
      <p className="empty-state__title">{title}</p>
      {children && <div className="empty-state__text">{children}</div>}
    </div>
  );
}
