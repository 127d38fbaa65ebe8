/**
 * What a page is: an async function from the route to the nodes to show,
 * with what the shell knows (who is signed in, how to navigate).
 */
import type { Me } from './api-types.js';
import type { Route } from './router.js';

export interface PageContext {
  readonly me: Me;
  readonly authOff: boolean;
  go(href: string, replace?: boolean): void;
}

export type Page = (route: Route, ctx: PageContext) => Promise<Node>;

/** Settles every promise; a failed one becomes `undefined` (the page shows "–"). */
export async function settle<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    // An expired token must still reach the shell, which asks for a new one.
    if ((err as { status?: number }).status === 401) throw err;
    return undefined;
  }
}
