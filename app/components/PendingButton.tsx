import { useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';

/**
 * A submit button that shows its pending text while its own form is submitting (matched by
 * name/value, so one form's buttons do not all say "…"), and cannot be pressed twice.
 */
export function PendingButton(props: { name?: string; value?: string; pending: string; children: ReactNode; className?: string }) {
  const navigation = useNavigation();
  const mine =
    navigation.state !== 'idle' &&
    navigation.formMethod === 'POST' &&
    (props.name === undefined || navigation.formData?.get(props.name) === props.value);
  return (
    <button type="submit" name={props.name} value={props.value} disabled={mine} aria-disabled={mine} className={props.className ?? 'primary'}>
      {mine ? props.pending : props.children}
    </button>
  );
}
