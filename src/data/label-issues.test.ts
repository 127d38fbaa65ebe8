import { describe, expect, it } from 'vitest';
import { createRng as rng } from '../random.js';
import { findLabelIssues, labelIssueFindings } from './label-issues.js';

/**
 * n rows of k well-separated classes (class c around angle 2πc/k), with a
 * share of labels flipped to another class; the probabilities are a softmax
 * of the distance to each class centre, standing in for a good out-of-fold
 * model that never saw the flipped labels.
 */
function planted(n: number, k: number, flipShare: number, seed = 7) {
  const rand = rng(seed);
  const labels = new Int32Array(n);
  const probabilities = new Float64Array(n * k);
  const flipped = new Set<number>();
  for (let i = 0; i < n; i++) {
    const truth = Math.floor(rand() * k);
    const x = 2 * Math.cos((2 * Math.PI * truth) / k) + (rand() - 0.5) * 1.6;
    const y = 2 * Math.sin((2 * Math.PI * truth) / k) + (rand() - 0.5) * 1.6;
    const logits = Array.from({ length: k }, (_, c) => {
      const dx = x - 2 * Math.cos((2 * Math.PI * c) / k);
      const dy = y - 2 * Math.sin((2 * Math.PI * c) / k);
      return -2 * (dx * dx + dy * dy);
    });
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const z = e.reduce((s, v) => s + v, 0);
    for (let c = 0; c < k; c++) probabilities[i * k + c] = e[c]! / z;
    labels[i] = truth;
    if (rand() < flipShare) {
      labels[i] = (truth + 1 + Math.floor(rand() * (k - 1))) % k;
      flipped.add(i);
    }
  }
  return { labels, probabilities, flipped };
}

function recallAndFalseAlarms(rows: Int32Array, flipped: Set<number>, n: number) {
  const found = Array.from(rows).filter((r) => flipped.has(r)).length;
  return { recall: found / flipped.size, falseAlarms: (rows.length - found) / (n - flipped.size) };
}

describe('findLabelIssues', () => {
  it('builds the confident joint and prunes by noise rate (worked example)', () => {
    const labels = Float64Array.of(0, 0, 0, 1, 1, 1);
    const p1 = Float64Array.of(0.1, 0.2, 0.9, 0.8, 0.7, 0.3);
    const issues = findLabelIssues(labels, p1);
    // t0 = (0.9 + 0.8 + 0.1) / 3 = 0.6 and t1 = (0.8 + 0.7 + 0.3) / 3 = 0.6.
    expect(Array.from(issues.thresholds)).toEqual([expect.closeTo(0.6), expect.closeTo(0.6)]);
    expect(issues.confidentJoint).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(issues.noiseShare).toBeCloseTo(1 / 3);
    expect(Array.from(issues.rows)).toEqual([2, 5]);
    expect(Array.from(issues.given)).toEqual([0, 1]);
    expect(Array.from(issues.suggested)).toEqual([1, 0]);
    expect(issues.margins[0]).toBeCloseTo(0.8);
    expect(issues.margins[1]).toBeCloseTo(0.4);
  });

  it('finds most planted flips of a binary set and few clean rows', () => {
    const { labels, probabilities, flipped } = planted(4000, 2, 0.05);
    const p1 = Float64Array.from({ length: labels.length }, (_, i) => probabilities[i * 2 + 1]!);
    const issues = findLabelIssues(Float64Array.from(labels), p1);
    const { recall, falseAlarms } = recallAndFalseAlarms(issues.rows, flipped, labels.length);
    expect(recall).toBeGreaterThan(0.9);
    expect(falseAlarms).toBeLessThan(0.01);
    expect(issues.noiseShare).toBeGreaterThan(0.03);
    expect(issues.noiseShare).toBeLessThan(0.07);
  });

  it('finds most planted flips among three classes, ranked by margin', () => {
    const { labels, probabilities, flipped } = planted(6000, 3, 0.1, 11);
    const issues = findLabelIssues(labels, probabilities);
    const { recall, falseAlarms } = recallAndFalseAlarms(issues.rows, flipped, labels.length);
    expect(recall).toBeGreaterThan(0.9);
    expect(falseAlarms).toBeLessThan(0.01);
    for (let m = 1; m < issues.margins.length; m++)
      expect(issues.margins[m]).toBeLessThanOrEqual(issues.margins[m - 1]!);
    expect(issues.confidentJoint.flat().reduce((s, c) => s + c, 0)).toBeLessThanOrEqual(6000);
  });

  it('skips unlabelled rows and flags nothing when labels agree with the model', () => {
    const labels = Float64Array.of(0, 1, Number.NaN, 0, 1);
    const issues = findLabelIssues(labels, Float64Array.of(0.1, 0.9, 0.99, 0.2, 0.8));
    expect(issues.labelled).toBe(4);
    expect(issues.rows).toHaveLength(0);
    expect(issues.noiseShare).toBe(0);
    expect(labelIssueFindings(issues)).toEqual([]);
  });

  it('refuses probabilities of the wrong length', () => {
    expect(() => findLabelIssues(Int32Array.of(0, 1), Float64Array.of(0.1, 0.2, 0.3))).toThrow(
      /expected 2 \(binary\) or n × k/,
    );
  });
});

describe('labelIssueFindings', () => {
  const { labels, probabilities } = planted(2000, 3, 0.1, 3);
  const issues = findLabelIssues(labels, probabilities);
  const rows = Int32Array.from(labels, (_, i) => 10_000 + i);

  it('warns above the threshold with dataset rows and class names', () => {
    const [finding] = labelIssueFindings(issues, rows, 0.05, ['a', 'b', 'c']);
    expect(finding!.check).toBe('quality.label_issues');
    expect(finding!.severity).toBe('warn');
    expect(finding!.evidence['count']).toBe(issues.rows.length);
    const examples = finding!.evidence['examples'] as { row: number; given: string }[];
    expect(examples).toHaveLength(10);
    expect(examples[0]!.row).toBe(10_000 + issues.rows[0]!);
    expect(['a', 'b', 'c']).toContain(examples[0]!.given);
  });

  it('is information only at or under the threshold', () => {
    expect(labelIssueFindings(issues, rows, 0.5)[0]!.severity).toBe('info');
  });
});
