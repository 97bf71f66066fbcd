import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, runScript, test } from './fixtures';
import { trainWithTorch } from './torch';

const evaluate = (args: string[]) => runScript('evaluate', args, 300_000);

test.describe('npm run evaluate', () => {
  test('a PyTorch-trained checkpoint scores on the whole test split what PyTorch scores', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evaluate-'));
    const checkpoint = join(dir, 'trained.pt');
    const torch = trainWithTorch(checkpoint, 5000);
    const run = evaluate(['--checkpoint', checkpoint]);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { val_acc: number; val_loss: number; n: number };
    expect(summary.n).toBe(10_000);
    // Float rounding may flip a near-tie between two digits; more than a couple would be a real difference.
    expect(Math.abs(summary.val_acc * summary.n - torch.test_correct)).toBeLessThanOrEqual(2);
    expect(summary.val_loss).toBeGreaterThan(0);
  });

  test('a pickle that would run a command is refused, naming the global, and nothing runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evaluate-hostile-'));
    execFileSync('/usr/bin/python3', ['scripts/torch/pt_save.py', dir]);
    const run = evaluate(['--checkpoint', join(dir, 'runs-command.pt'), '--val-limit', '100']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/refused.*(posix|os)\.system/);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    const missing = evaluate(['--checkpoint', join(dir, 'no-such.pt')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no-such\.pt/);
  });
});
