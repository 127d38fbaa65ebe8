/**
 * API tokens: bearer tokens with a role. A token is shown once when created;
 * the store keeps only its sha256, so a copy of the database grants nothing.
 * Verification is on the request hot path, so answers are cached briefly
 * (a revocation reaches other processes within the cache time).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { FlywheelError } from '../errors.js';
import { displayId, type MetadataStore, type Stores } from '../store/index.js';
import { assertActor } from './refs.js';
import { isRole, ROLES, type Role } from './roles.js';

const TOKEN_PREFIX = 'fw_';
/** `fw_` and 32 random bytes in base64url (43 characters). */
const TOKEN_PATTERN = /^fw_[A-Za-z0-9_-]{43}$/;
const TOKEN_ID = /^tok_[0-9a-f]{16}$/;
const MAX_CACHED = 10_000;

/** Who a verified token belongs to. */
export interface TokenIdentity {
  id: string;
  role: Role;
  name: string;
}

/** A token as listed: never the token or its hash. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

export interface TokenStoreOptions {
  /** How long a verification result is reused (ms, default 1000; 0 disables). */
  cacheMs?: number;
  now?: () => Date;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Creates, verifies, revokes and lists API tokens.
 *
 * @example
 * const tokens = new TokenStore(stores);
 * const { token } = await tokens.create({ role: 'predictor', name: 'checkout-service', actor: 'ann' });
 * (await tokens.verify(token))?.role; // 'predictor'
 */
export class TokenStore {
  readonly #metadata: MetadataStore;
  readonly #cacheMs: number;
  readonly #now: () => Date;
  readonly #cache = new Map<string, { identity: TokenIdentity | undefined; until: number }>();

  constructor(stores: Pick<Stores, 'metadata'>, options: TokenStoreOptions = {}) {
    this.#metadata = stores.metadata;
    this.#cacheMs = options.cacheMs ?? 1000;
    this.#now = options.now ?? (() => new Date());
  }

  /** Creates a token; the returned `token` is never shown again. Audited. */
  async create(opts: {
    role: Role;
    name: string;
    actor: string;
  }): Promise<{ id: string; token: string; role: Role }> {
    if (!isRole(opts.role)) {
      throw new FlywheelError('USAGE', 'unknown role', { hint: `roles are: ${ROLES.join(', ')}` });
    }
    if (typeof opts.name !== 'string' || !/^[^\p{Cc}]{1,100}$/u.test(opts.name.trim())) {
      throw new FlywheelError('USAGE', 'a token name is 1 to 100 printable characters');
    }
    assertActor(opts.actor);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = `tok_${randomBytes(8).toString('hex')}`;
    const createdAt = this.#now().toISOString();
    await this.#metadata.transaction(async (tx) => {
      await tx.insertApiToken({
        id,
        name: opts.name.trim(),
        role: opts.role,
        tokenSha256: sha256(token).toString('hex'),
        createdAt,
        createdBy: opts.actor,
        revokedAt: null,
      });
      await tx.audit({
        actor: opts.actor,
        action: 'token.create',
        objectType: 'token',
        objectId: id,
        details: { name: opts.name.trim(), role: opts.role },
        at: createdAt,
      });
    });
    return { id, token, role: opts.role };
  }

  /**
   * Who `token` belongs to, or `undefined` when it is malformed, unknown or
   * revoked. Never throws for bad input.
   */
  async verify(token: string): Promise<TokenIdentity | undefined> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return undefined;
    const hash = sha256(token);
    const key = hash.toString('hex');
    const now = Date.now();
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.until > now) return cached.identity;
    const record = await this.#metadata.findApiTokenByHash(key);
    let identity: TokenIdentity | undefined;
    if (
      record !== undefined &&
      record.revokedAt === null &&
      isRole(record.role) &&
      timingSafeEqual(Buffer.from(record.tokenSha256, 'hex'), hash)
    ) {
      identity = { id: record.id, role: record.role, name: record.name };
    }
    if (this.#cacheMs > 0) {
      this.#cache.delete(key);
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, { identity, until: now + this.#cacheMs });
    }
    return identity;
  }

  /** Revokes a token (again: a no-op). NOT_FOUND for an unknown id. Audited. */
  async revoke(id: string, actor: string): Promise<void> {
    assertActor(actor);
    if (typeof id !== 'string' || !TOKEN_ID.test(id)) {
      throw new FlywheelError('NOT_FOUND', `no token ${displayId(String(id))}`, {
        hint: 'list tokens with `flywheel tokens list`',
      });
    }
    const at = this.#now().toISOString();
    await this.#metadata.transaction(async (tx) => {
      if ((await tx.findApiToken(id)) === undefined) {
        throw new FlywheelError('NOT_FOUND', `no token ${id}`, {
          hint: 'list tokens with `flywheel tokens list`',
        });
      }
      if (await tx.revokeApiToken(id, at)) {
        await tx.audit({ actor, action: 'token.revoke', objectType: 'token', objectId: id, at });
      }
    });
    for (const [key, entry] of this.#cache) if (entry.identity?.id === id) this.#cache.delete(key);
  }

  /** Every token, oldest first. */
  async list(): Promise<TokenInfo[]> {
    const records = await this.#metadata.listApiTokens();
    return records.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role as Role,
      createdAt: r.createdAt,
      revokedAt: r.revokedAt,
    }));
  }
}
