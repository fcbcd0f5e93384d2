import { hash, verify } from '@node-rs/argon2';

// argon2id (algorithm 2) with the OWASP-recommended minimum of 19 MiB memory, 2 passes.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

// A hash of a random string, verified against when the email is unknown, so a wrong email and a
// wrong password take the same time and cannot be told apart.
let dummy: Promise<string> | null = null;
export const dummyHash = () => (dummy ??= hashPassword(`dummy-${Math.random()}`));

/** Why a password is too weak, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < 10) return 'password must be at least 10 characters long';
  if (password.length > 256) return 'password must be at most 256 characters long';
  if (new Set(password).size < 5) return 'password must use at least 5 different characters';
  const lower = password.toLowerCase();
  if (lower === email.toLowerCase() || lower.includes(email.toLowerCase().split('@')[0]!) && email.split('@')[0]!.length >= 4)
    return 'password must not contain your email address';
  if (COMMON.has(lower)) return 'password is one of the most common passwords';
  return null;
}

const COMMON = new Set([
  'password123', 'password1234', '1234567890', 'qwertyuiop', '1q2w3e4r5t', 'qwerty1234',
  'iloveyou12', 'abcd123456', 'asdfghjkl1', 'password12', 'aa12345678', 'q1w2e3r4t5',
]);
