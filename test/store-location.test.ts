/**
 * Where the store lives: FLYWHEEL_STORE over the spec over the default, the
 * accepted forms, and errors that list the valid forms without leaking secrets.
 */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../src/errors.js';
import {
  describeStoreLocation,
  openStore,
  redactUrl,
  resolveStoreLocation,
} from '../src/store/index.js';

const specDir = '/proj/churn';

function configError(fn: () => unknown): FlywheelError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FlywheelError);
    expect((err as FlywheelError).code).toBe('STORE_CONFIG');
    return err as FlywheelError;
  }
  throw new Error('expected STORE_CONFIG');
}

describe('resolveStoreLocation', () => {
  it('defaults to <specDir>/.flywheel/ with metadata.db and artifacts/', () => {
    expect(resolveStoreLocation({ specDir, env: {} })).toEqual({
      kind: 'sqlite',
      path: '/proj/churn/.flywheel/metadata.db',
      artifactDir: '/proj/churn/.flywheel/artifacts',
    });
    expect(
      resolveStoreLocation({ specDir, env: { FLYWHEEL_STORE: '  ' }, specStore: '' }).kind,
    ).toBe('sqlite');
  });

  it('takes sqlite:<path> relative to the spec directory, or absolute, or a directory/', () => {
    expect(resolveStoreLocation({ specDir, specStore: 'sqlite:state/meta.db', env: {} })).toEqual({
      kind: 'sqlite',
      path: '/proj/churn/state/meta.db',
      artifactDir: '/proj/churn/state/artifacts',
    });
    expect(resolveStoreLocation({ specDir, specStore: 'sqlite:/var/fw/m.db', env: {} })).toEqual({
      kind: 'sqlite',
      path: '/var/fw/m.db',
      artifactDir: '/var/fw/artifacts',
    });
    expect(resolveStoreLocation({ specDir, specStore: 'sqlite:../shared/', env: {} })).toEqual({
      kind: 'sqlite',
      path: '/proj/shared/metadata.db',
      artifactDir: '/proj/shared/artifacts',
    });
  });

  it('lets FLYWHEEL_STORE win over the spec', () => {
    const location = resolveStoreLocation({
      specDir,
      specStore: 'sqlite:spec.db',
      env: { FLYWHEEL_STORE: 'postgresql://fw:pw@db.internal:5432/flywheel' },
    });
    expect(location).toEqual({
      kind: 'postgres',
      url: 'postgresql://fw:pw@db.internal:5432/flywheel',
      artifactDir: '/proj/churn/.flywheel/artifacts',
    });
    expect(describeStoreLocation(location)).toBe('postgresql://fw:***@db.internal:5432/flywheel');
    expect(
      resolveStoreLocation({ specDir, specStore: 'postgres://u@h/db', env: {} }),
    ).toMatchObject({ kind: 'postgres', url: 'postgres://u@h/db' });
  });

  it.each([
    ['mysql://root:hunter2@db/x', /unknown store scheme "mysql:"/],
    ['s3://bucket/key?secret=hunter2', /unknown store scheme "s3:"/],
    ['./metadata.db', /is not a store location/],
    ['C:\\hunter2\\meta.db', /is not a store location/],
    ['sqlite:', /needs a path/],
    ['postgres://user:hunter2@', /names no host|not a valid/],
  ])(
    'rejects %j with STORE_CONFIG listing the valid forms, never echoing secrets',
    (value, message) => {
      const err = configError(() =>
        resolveStoreLocation({ specDir, env: { FLYWHEEL_STORE: value } }),
      );
      expect(err.message).toMatch(message);
      expect(err.message).toContain('FLYWHEEL_STORE');
      expect(err.hint).toMatch(/sqlite:<path>.*postgres:\/\/.*postgresql:\/\//);
      expect(JSON.stringify(err.toJSON())).not.toContain('hunter2');
    },
  );

  it('names the spec as the source when the bad value came from it', () => {
    const err = configError(() =>
      resolveStoreLocation({ specDir, specStore: 'redis://x', env: {} }),
    );
    expect(err.message).toMatch(/`store` in the spec/);
  });
});

describe('redactUrl', () => {
  it('hides passwords in the authority and in query parameters', () => {
    expect(redactUrl('postgres://ann:s3cret@db:5432/fw?sslmode=require&password=s3cret')).toBe(
      'postgres://ann:***@db:5432/fw?sslmode=require&password=***',
    );
    expect(redactUrl('not a url s3cret')).not.toContain('s3cret');
  });
});

describe('openStore on an unreachable PostgreSQL', () => {
  it('fails with STORE_UNAVAILABLE and no password in the message', async () => {
    const err = (await openStore(
      {
        kind: 'postgres',
        url: 'postgres://fw:hunter2@127.0.0.1:1/flywheel',
        artifactDir: '/nonexistent',
      },
      { connectTimeoutMs: 2_000 },
    ).catch((e) => e)) as FlywheelError;
    expect(err).toBeInstanceOf(FlywheelError);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toContain('postgres://fw:***@127.0.0.1:1/flywheel');
    expect(JSON.stringify(err.toJSON())).not.toContain('hunter2');
  });
});
