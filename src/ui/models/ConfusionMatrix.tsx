import type { CSSProperties } from 'react';
import { DIGIT_CLASSES } from '../../workers/inferenceProtocol';

/** A (true, predicted) pair of digits: a cell of the matrix. */
export interface DigitPair {
  label: number;
  predicted: number;
}

/** Props of {@link ConfusionMatrix}. */
export interface ConfusionMatrixProps {
  /** Row-major [true][predicted] counts, 10 x 10. */
  confusion: readonly number[];
  /** The highlighted cell, whose mistakes the gallery shows. */
  selected: DigitPair | null;
  /** Called when a cell with mistakes is chosen (or chosen again, with null, to clear it). */
  onSelect: (pair: DigitPair | null) => void;
}

const DIGITS = Array.from({ length: DIGIT_CLASSES }, (_, d) => d);
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Test-split counts per true digit (rows) and predicted digit (columns), shaded by each cell's
 * share of its row: blue on the diagonal, red off it, so a common confusion stands out at a glance.
 */
export function ConfusionMatrix({ confusion, selected, onSelect }: ConfusionMatrixProps) {
  const cell = (label: number, predicted: number) => confusion[label * DIGIT_CLASSES + predicted] ?? 0;
  const rowTotals = DIGITS.map((label) => sum(DIGITS.map((predicted) => cell(label, predicted))));
  const columnTotals = DIGITS.map((predicted) => sum(DIGITS.map((label) => cell(label, predicted))));

  return (
    <table className="confusion-matrix" data-testid="confusion-matrix">
      <caption className="muted">Rows: true digit. Columns: predicted digit. Choose a red cell to see those mistakes.</caption>
      <thead>
        <tr>
          <th scope="col">true \ pred</th>
          {DIGITS.map((d) => (
            <th key={d} scope="col">
              {d}
            </th>
          ))}
          <th scope="col">total</th>
        </tr>
      </thead>
      <tbody>
        {DIGITS.map((label) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            {DIGITS.map((predicted) => {
              const count = cell(label, predicted);
              // A square root keeps a handful of mistakes visible beside a diagonal of a thousand.
              const share = rowTotals[label] ? Math.sqrt(count / (rowTotals[label] ?? 1)) : 0;
              const isSelected = selected?.label === label && selected.predicted === predicted;
              const className = `${label === predicted ? 'hit' : 'miss'}${isSelected ? ' selected' : ''}`;
              const mistakes = label !== predicted && count > 0;
              return (
                <td key={predicted} data-testid={`confusion-${label}-${predicted}`} className={className} style={{ '--share': share } as CSSProperties}>
                  {mistakes ? (
                    <button type="button" aria-pressed={isSelected} onClick={() => onSelect(isSelected ? null : { label, predicted })} title={`${count} ${label}s predicted as ${predicted}`}>
                      {count}
                    </button>
                  ) : (
                    count
                  )}
                </td>
              );
            })}
            <td className="total">{rowTotals[label]}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">total</th>
          {DIGITS.map((predicted) => (
            <td key={predicted} className="total">
              {columnTotals[predicted]}
            </td>
          ))}
          <td className="total" data-testid="confusion-total">
            {sum(confusion)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
