/**
 * The only body the server reads: JSON in UTF-8. Anything else is a 415; a
 * compressed body is refused before it is read (no decompression bomb);
 * invalid UTF-8 or JSON is a 400 that does not echo the input; and keys that
 * could poison prototypes (`__proto__`, `constructor.prototype`) are a 400.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './server-error.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase();
}

/** Replaces fastify's body parsers with the strict JSON one. */
export function useStrictJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addHook('onRequest', async (request) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'compressed request bodies are not accepted');
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new HttpError('UNSUPPORTED_MEDIA_TYPE', 'only UTF-8 JSON bodies are accepted'));
      return;
    }
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new HttpError('INVALID_JSON', 'the body is not valid UTF-8'));
      return;
    }
    parseJson(request, text, (err, value) => {
      if (err === null) {
        done(null, value);
        return;
      }
      done(poisoned(text) ? forbiddenKey() : err);
    });
  });
}

/** Whether `text` is valid JSON that the secure parser refused: it carries a forbidden key. */
function poisoned(text: string): boolean {
  if (text.trim().length === 0) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function forbiddenKey(): HttpError {
  return new HttpError(
    'INVALID_JSON',
    'the body contains a forbidden key (`__proto__` or `constructor.prototype`)',
  );
}
