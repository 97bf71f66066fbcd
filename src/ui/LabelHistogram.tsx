/** How many examples of each digit the train and test splits hold, as share of each split (grouped bars). */
export function LabelHistogram({ train, test }: { train: number[]; test: number[] }) {
  const share = (counts: number[]) => {
    const total = counts.reduce((sum, n) => sum + n, 0) || 1;
    return counts.map((n) => n / total);
  };
  const trainShare = share(train);
  const testShare = share(test);
  const top = Math.max(...trainShare, ...testShare, 0.01);
  const width = 320;
  const height = 120;
  const slot = width / 10;
  const bar = slot * 0.36;
  const plot = height - 16;
  const barHeight = (value: number) => (value / top) * (plot - 4);
  return (
    <figure className="label-histogram" data-testid="label-histogram">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Examples per digit in the train and test splits">
        {train.map((count, digit) => {
          const x = digit * slot + slot * 0.12;
          const t = trainShare[digit] ?? 0;
          const v = testShare[digit] ?? 0;
          return (
            <g key={digit}>
              <rect className="bar-train" x={x} y={plot - barHeight(t)} width={bar} height={barHeight(t)}>
                <title>{`digit ${digit}: ${count.toLocaleString()} train (${(t * 100).toFixed(1)}%)`}</title>
              </rect>
              <rect className="bar-test" x={x + bar} y={plot - barHeight(v)} width={bar} height={barHeight(v)}>
                <title>{`digit ${digit}: ${(test[digit] ?? 0).toLocaleString()} test (${(v * 100).toFixed(1)}%)`}</title>
              </rect>
              <text x={digit * slot + slot / 2} y={height - 3} textAnchor="middle">
                {digit}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">
        Labels per digit, as a share of each split: <span className="key-train">train</span>{' '}
        <span className="key-test">test</span>
      </figcaption>
    </figure>
  );
}
