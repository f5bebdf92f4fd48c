/**
 * Ids and scores derived from a key by hashing it, never drawn at random: the same key gives the same
 * charge id, tracking number or fraud score on every run, so runs are reproducible byte for byte.
 */
import { createHash } from 'node:crypto';

/** The SHA-256 digest of `text`. */
export function digestOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A short stable id derived from a key (`ch_22f5bcf438bd`). */
export function derivedId(prefix: string, key: string): string {
  return `${prefix}_${digestOf(key).toString('hex').slice(0, 12)}`;
}
