/**
 * The fake's self-service account routes (upstream `routes/auth.py`): forgot and reset password, 2FA backup
 * codes, the profile, and the verified email change. Codes are "mailed" into the context's mailbox.
 *
 * @module
 */
import { randomBytes } from '@x/crypto';
import {
  checkedName,
  detail,
  type FakeContext,
  type StoredUser,
  sixDigits,
  unprocessable,
} from './context.ts';

/** Mail kinds the mailbox keeps a code of. */
export const MAIL_RESET = 'reset_password';
/** The email-change code, mailed to the new address. */
export const MAIL_EMAIL_CHANGE = 'email_change';

const RESET_TTL_MS = 10 * 60_000;
const EMAIL_CHANGE_TTL_MS = 30 * 60_000;
/** Upstream's name rule (`validate_person_name`): letters (incl. Latin accents), digits, `_`, spaces, `'`, `-`. */
const PERSON_NAME = /^[\p{L}\p{N}_\s'-]+$/u;

/** Registers the account routes on the context's app. */
export function registerAccountRoutes(ctx: FakeContext): void {
  const { app, clock } = ctx;

  /** Stores a one-time code for `purpose` and mails it to `to`. */
  function issueOtp(user: StoredUser, purpose: string, ttlMs: number, to: string, kind: string) {
    const code = sixDigits(randomBytes(4));
    ctx.otps.push({ userId: user.id, code, purpose, expiresAt: clock.now() + ttlMs, usedAt: null });
    const box = ctx.mail.get(to) ?? new Map<string, string>();
    ctx.mail.set(to, box);
    box.set(kind, code);
  }

  /** Upstream's `verify_otp`: an unused, unexpired code of that purpose is used up. */
  function useOtp(user: StoredUser, code: string, purpose: string): boolean {
    const otp = ctx.otps.find(
      (o) =>
        o.userId === user.id &&
        o.code === code &&
        o.purpose === purpose &&
        o.usedAt === null &&
        o.expiresAt > clock.now(),
    );
    if (otp) otp.usedAt = clock.now();
    return otp !== undefined;
  }

  app.post('/api/v1/auth/forgot-password', async (c) => {
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['email']);
    if (missing) return missing;
    const email = ctx.validEmail(c, body!['email'] as string);
    if (email instanceof Response) return email;
    const user = ctx.userByEmail(email);
    if (user) issueOtp(user, 'reset_password', RESET_TTL_MS, user.email, MAIL_RESET);
    // The same answer whether or not the account exists.
    return c.json({ message: 'If an account with this email exists, a password reset code has been sent' });
  });

  app.post('/api/v1/auth/reset-password', async (c) => {
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['email', 'code', 'new_password']);
    if (missing) return missing;
    const b = body as Record<string, string>;
    const email = ctx.validEmail(c, b['email']!);
    if (email instanceof Response) return email;
    const user = ctx.userByEmail(email);
    // Upstream uses the code up before it looks at the new password: a short password costs the code.
    if (!user || !useOtp(user, b['code']!, 'reset_password'))
      return detail(c, 400, 'Invalid or expired reset code');
    if ([...b['new_password']!].length < 8) return detail(c, 400, 'Password must be at least 8 characters');
    user.passwordHash = ctx.hashPassword(b['new_password']!);
    await ctx.endSessions(user.id);
    for (const o of ctx.otps)
      if (o.userId === user.id && o.purpose === 'reset_password' && o.usedAt === null) o.usedAt = clock.now();
    return c.json({ message: 'Password reset successfully' });
  });

  // Upstream returns ten fresh codes and stores none (so none can be used to log in), 2FA on or off.
  app.post('/api/v1/auth/2fa/backup-codes', async (c) => {
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    return c.json({ backup_codes: backupCodes() });
  });

  // These routes check the caller inside, after FastAPI validated the body: a bad body is a 422 even
  // without a token (unlike routes guarded by `Depends(require_permission(…))`).
  app.patch('/api/v1/auth/profile', async (c) => {
    const body = await ctx.readJson(c);
    if (!body) return unprocessable(c, ['body'], 'Input should be a valid dictionary', 'dict_type');
    const names: Array<[field: string, label: string]> = [
      ['first_name', 'First name'],
      ['last_name', 'Last name'],
    ];
    const updates: Record<string, string> = {};
    for (const [field, label] of names) {
      const value = body[field];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string')
        return unprocessable(c, ['body', field], 'Input should be a valid string', 'string_type');
      const problem = checkedName(value, label, 50, PERSON_NAME);
      if (typeof problem === 'object') return unprocessable(c, ['body', field], problem.error);
      updates[field] = problem;
    }
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    if (updates['first_name'] !== undefined) user.firstName = updates['first_name'];
    if (updates['last_name'] !== undefined) user.lastName = updates['last_name'];
    return c.json({
      id: user.id,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      organization_id: user.organizationId,
    });
  });

  app.post('/api/v1/auth/email-change/initiate', async (c) => {
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['new_email']);
    if (missing) return missing;
    const normalised = ctx.validEmail(c, body!['new_email'] as string, 'new_email');
    if (normalised instanceof Response) return normalised;
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    // Upstream lower-cases the whole address here (registration keeps the local part as typed).
    const newEmail = normalised.toLowerCase();
    if (ctx.userByEmail(newEmail)) return detail(c, 400, 'Email already in use');
    issueOtp(user, `email_change:${newEmail}`, EMAIL_CHANGE_TTL_MS, newEmail, MAIL_EMAIL_CHANGE);
    return c.json({ message: 'Verification code sent to new email address' });
  });

  app.post('/api/v1/auth/email-change/confirm', async (c) => {
    const body = await ctx.readJson(c);
    const missing = ctx.requireStrings(c, body, ['code']);
    if (missing) return missing;
    const user = await ctx.requireUser(c);
    if (user instanceof Response) return user;
    const pending = ctx.otps.filter(
      (o) =>
        o.userId === user.id &&
        o.purpose.startsWith('email_change:') &&
        o.usedAt === null &&
        o.expiresAt > clock.now(),
    );
    const matched = pending.find((o) => useOtp(user, body!['code'] as string, o.purpose));
    if (!matched) return detail(c, 400, 'Invalid or expired verification code');
    const newEmail = matched.purpose.slice('email_change:'.length);
    const holder = ctx.userByEmail(newEmail);
    if (holder && holder.id !== user.id) return detail(c, 400, 'Email already in use');
    user.email = newEmail;
    await ctx.endSessions(user.id);
    for (const o of pending) o.usedAt ??= clock.now();
    return c.json({ message: 'Email updated successfully. Please sign in again.' });
  });
}

/** Ten `XXXX-XXXX` hex codes, as upstream's `generate_backup_codes`. */
export function backupCodes(): string[] {
  return Array.from({ length: 10 }, () => {
    const hex = Buffer.from(randomBytes(4)).toString('hex').toUpperCase();
    return `${hex.slice(0, 4)}-${hex.slice(4)}`;
  });
}

/** Reads the latest code of `kind` mailed to `email` (as typed, or as the fake stores it). */
export function mailedCode(
  ctx: Pick<FakeContext, 'mail'>,
  normalise: (email: string) => string | undefined,
  email: string,
  kind: string,
): string | undefined {
  const stored = normalise(email) ?? email;
  return (ctx.mail.get(stored) ?? ctx.mail.get(stored.toLowerCase()))?.get(kind);
}
