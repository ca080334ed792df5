import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a request's `Authorization: Bearer …` carries the operator token. Without a token
 * configured nothing is allowed. Compared in constant time (over digests, so the length leaks
 * nothing either).
 */
export function allowsOperator(token: string | null, authorization: string | undefined): boolean {
  if (token === null || !authorization?.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(authorization.slice('Bearer '.length)), digest(token));
}
