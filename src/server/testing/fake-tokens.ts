/** An in-memory token verifier for tests: tokens map to principals and can be revoked. */
import type { Principal, TokenVerifier } from '../access.js';

export class FakeTokens implements TokenVerifier {
  readonly #tokens = new Map<string, Principal>();

  add(token: string, principal: Principal): this {
    this.#tokens.set(token, principal);
    return this;
  }

  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  async verify(token: string): Promise<Principal | undefined> {
    return this.#tokens.get(token);
  }
}
