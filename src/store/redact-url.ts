/**
 * Removes the password from a connection URL before it appears in any message.
 */

/**
 * Returns `url` with any password replaced by `***`; unparseable input is
 * reduced to its scheme so nothing secret can leak.
 *
 * @example
 * redactUrl('postgres://ann:s3cret@db/flywheel'); // 'postgres://ann:***@db/flywheel'
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    return scheme ? `${scheme}//…` : '<unparseable>';
  }
}
