import { useEffect, useState } from 'react';
import { formatCountdown } from '../lib/format';

/**
 * The hold's remaining time. The visible clock ticks every second (role="timer", which screen
 * readers do not announce on every tick); a polite live region says the minutes left once a
 * minute, so the warning reaches everyone without chatter. `msLeft` is the server's count, so
 * a wrong clock on the phone cannot make the hold look longer than it is.
 */
export function Countdown({ msLeft, onExpire }: { msLeft: number; onExpire?: () => void }) {
  const [left, setLeft] = useState(msLeft);
  useEffect(() => {
    const startedAt = Date.now();
    const timer = setInterval(() => {
      const now = Math.max(0, msLeft - (Date.now() - startedAt));
      setLeft(now);
      if (now === 0) {
        clearInterval(timer);
        onExpire?.();
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [msLeft, onExpire]);
  const minutes = Math.ceil(left / 60_000);
  return (
    <div className="countdown">
      <p>
        Time left to pay:{' '}
        <span role="timer" aria-label="Time left to pay" className="clock">
          {formatCountdown(left)}
        </span>
      </p>
      <p aria-live="polite" className="sr-only">
        {left === 0 ? 'The hold has run out.' : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'} left to pay.`}
      </p>
    </div>
  );
}
