import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ExportButtons } from './ExportButtons';
import { ImportCheckpoint } from './ImportCheckpoint';

describe('checkpoint components', () => {
  it('offers a multi-file input for .pt and tfjs files', () => {
    const html = renderToStaticMarkup(<ImportCheckpoint onImported={() => undefined} />);
    expect(html).toMatch(/<input[^>]*type="file"[^>]*accept="\.pt,\.pth,\.json,\.bin"[^>]*multiple=""[^>]*data-testid="import-checkpoint"/);
  });

  it('offers the four downloads with stable test ids', () => {
    const html = renderToStaticMarkup(
      <ExportButtons
        getSnapshot={() => Promise.reject(new Error('not used'))}
        config={{ lr: 1e-3, beta1: 0.9, beta2: 0.999, batch_size: 64, seed: 0, max_num_epochs: 1, f1: 8, f2: 6 }}
        resultsJson="{}"
      />,
    );
    for (const [id, label] of [['export-pt', 'checkpoint.pt'], ['export-tfjs', 'tfjs model'], ['export-config', 'config.yaml'], ['export-zip', 'all (zip)']]) {
      expect(html).toContain(`data-testid="${id}">${label}</button>`);
    }
  });
});

