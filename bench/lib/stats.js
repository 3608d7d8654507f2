/** Returns the median of a non-empty list of numbers. */
export function median(values) {
  if (values.length === 0) {
    throw new Error('median of an empty list');
  }

  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Pairs the per-round values of a measurement with those of its baseline
 * and returns the medians and the ratio. The ratio is the median of the
 * per-round ratios, so that each ratio compares two runs made minutes
 * apart at most, under the same background load.
 */
export function compareRounds(subjectRounds, baselineRounds) {
  if (subjectRounds.length !== baselineRounds.length) {
    throw new Error('subject and baseline need the same number of rounds');
  }

  const ratios = subjectRounds.map((value, index) => value / baselineRounds[index]);
  return {
    subject: median(subjectRounds),
    baseline: median(baselineRounds),
    ratio: median(ratios),
    ratios,
  };
}
