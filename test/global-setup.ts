/**
 * One temporary folder for the whole test run: tests create their projects
 * under it (via FLYWHEEL_TEST_TMP), and it is removed when the run ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), 'flywheel-tests-'));
  process.env['FLYWHEEL_TEST_TMP'] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
