import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../lib/format';

/** The current time, ticking every second. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/** Time left until a deadline ("1 d 4 h 12 min left"), live; red once it has passed. */
export function Countdown({ to, testId }: { to: string; testId?: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const left = new Date(to).getTime() - useNow();
  const s = Math.floor(Math.abs(left) / 1000);
  const parts = { d: fmt.number(Math.floor(s / 86_400)), h: fmt.number(Math.floor(s / 3600) % 24), m: fmt.number(Math.floor(s / 60) % 60), s: fmt.number(s % 60) };
  const span = s >= 86_400 ? t('countdown.days', parts) : t('countdown.hours', parts);
  return (
    <span className={`countdown${left < 0 ? ' countdown--overdue' : ''}`} data-testid={testId} data-overdue={left < 0}>
      {left < 0 ? t('countdown.overdue', { time: span }) : t('countdown.left', { time: span })}
    </span>
  );
}
