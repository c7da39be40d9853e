/**
 * Password rules in the spirit of NIST SP 800-63B: length over composition rules, no known-bad
 * passwords, nothing derived from the account itself. Pure; the API turns issues into a 422.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

// The most common leaked passwords that pass the length rule (lower-cased). A breach-corpus
// lookup (k-anonymity API) would be stronger; this keeps the worst offenders out offline.
const COMMON = new Set([
  '1234567890', '12345678910', '0123456789', '1111111111', '0000000000', '123456789a',
  'password12', 'password123', 'password1234', 'passw0rd123', 'qwertyuiop', 'qwerty1234',
  'qwerty12345', '1q2w3e4r5t', '1qaz2wsx3edc', 'iloveyou12', 'letmein123', 'welcome123',
  'abc1234567', 'abcdefghij', 'football12', 'baseball12', 'princess12', 'sunshine12',
  'dragon1234', 'monkey1234', 'superman12', 'trustno1234', 'zaq12wsxcde', 'asdfghjkl1',
  'changeme123', 'administrator', 'barbershop', 'barbershop1', 'bookedbarber',
]);

export interface PasswordIssue {
  code: 'too_short' | 'too_long' | 'too_common' | 'contains_account' | 'repetitive';
  message: string;
}

export function passwordIssues(password: string, account: { email?: string; names?: string[] } = {}): PasswordIssue[] {
  const issues: PasswordIssue[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    issues.push({ code: 'too_short', message: `Use at least ${PASSWORD_MIN_LENGTH} characters` });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    issues.push({ code: 'too_long', message: `Use at most ${PASSWORD_MAX_LENGTH} characters` });
  }
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) issues.push({ code: 'too_common', message: 'This password is too common' });
  if (/^(.)\1+$/.test(password) || /^(..?)\1{4,}$/.test(password)) {
    issues.push({ code: 'repetitive', message: 'Avoid repeating the same characters' });
  }
  const local = account.email?.split('@')[0]?.toLowerCase();
  const parts = [local, ...(account.names ?? []).map((n) => n.toLowerCase())].filter(
    (p): p is string => !!p && p.length >= 4,
  );
  if (parts.some((p) => lower.includes(p))) {
    issues.push({ code: 'contains_account', message: 'Do not use your name or e-mail in the password' });
  }
  return issues;
}
