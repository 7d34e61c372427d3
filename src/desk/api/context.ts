// What every route plugin is given, and the access rules they share.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../wire/index.ts';
import type { User } from '../domain/index.ts';
import { DeskError } from '../errors.ts';
import type { DeskStore } from '../store/index.ts';
import type { LiveFeed } from './live.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { ReminderMailer } from '../reminders.ts';
import type { DeskService } from '../service.ts';

/**
 * Who may call a route: anyone; any signed-in user; desk officers only; or the
 * evidence route's callers (the conductor's bearer token, or a signed-in user).
 */
export type Access = 'anonymous' | 'user' | 'desk' | 'evidence';

export interface RequestAuth {
  user: User;
  tokenHash: string;
  csrfToken: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
    /** True when the request carried the conductor's evidence bearer token. */
    conductor: boolean;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface DeskContext {
  store: DeskStore;
  clock: Clock;
  live: LiveFeed;
  service: DeskService;
  throttle: LoginThrottle;
  evidenceToken: string;
  /** Mark the session cookie Secure: always, never, or 'auto' (when the request came over TLS). */
  secureCookies: boolean | 'auto';
  sessionTtlMs: number;
  mailer: ReminderMailer | null;
}

export const SESSION_COOKIE = 'fd_session';
export const CSRF_HEADER = 'x-csrf-token';

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a)),
    y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
}

export function userOf(req: FastifyRequest): User {
  if (!req.auth) throw new DeskError(401, 'UNAUTHENTICATED', 'sign in first');
  return req.auth.user;
}

/** A subscriber user acts only for its own firm; desk officers for all. */
export function requireFirm(req: FastifyRequest, subscriberId: string): User {
  const user = userOf(req);
  if (user.role !== 'desk' && user.subscriberId !== subscriberId) {
    throw new DeskError(403, 'FORBIDDEN_FIRM', `you act for ${user.subscriberId}, not for ${subscriberId}`);
  }
  return user;
}

export const idParam = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
