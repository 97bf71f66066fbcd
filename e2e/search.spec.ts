import { expect, test } from './fixtures';

const TINY = { train: 256, val: 256 };

test.describe('search panel', () => {
  test('editing a field changes the space; an invalid value shows its error and disables Run', async ({ readyStudio: _ready, search }) => {
    await test.step('the original config.yaml, one click away, fills the form', async () => {
      await expect(search.root.getByTestId('config-name')).toHaveText('configuration/quick.yaml');
      await search.root.getByTestId('preset-original').click();
      await expect(search.root.getByTestId('config-name')).toHaveText('configuration/config.yaml');
      await expect(search.parameter('lr').getByTestId('chip-lr')).toHaveCount(2);
      await expect(search.parameter('f1').getByTestId('params-f1-8')).toContainText('9,994 params');
      await expect(search.runButton()).toBeEnabled();
    });

    await test.step('a choice becomes a log interval; the YAML text follows, comments kept', async () => {
      await search.root.getByText('Raw config.yaml').click();
      await search.root.getByTestId('raw-yaml').fill('config:\n  # learning rate\n  lr: [1e-3, 1e-2]\n  num_trials: 3\n');
      await search.parameter('lr').getByLabel('lr kind').selectOption('interval');
      await expect(search.parameter('lr').getByLabel('lr low')).toHaveValue('0.001');
      expect(await search.configText()).toContain('lr: tag(log, interval(0.001, 0.01))');
      expect(await search.configText()).toContain('# learning rate');
      await search.setField('lr high', '0.05');
      expect(await search.configText()).toContain('interval(0.001, 0.05)');
    });

    await test.step('lo >= hi is an error at the field, and Run is disabled', async () => {
      await search.setField('lr low', '0.1');
      await expect(search.root.getByTestId('field-error-lr')).toContainText('lr:');
      await expect(search.runButton()).toBeDisabled();
      await search.setField('lr low', '0.0001');
      await expect(search.root.getByTestId('field-error-lr')).toHaveCount(0);
      await expect(search.runButton()).toBeEnabled();
    });

    await test.step('an empty choice in the raw YAML shows its line and column', async () => {
      await search.root.getByTestId('raw-yaml').fill('config:\n  lr: []\n');
      await expect(search.root.getByTestId('raw-yaml-errors')).toContainText('config.yaml:2:');
      await expect(search.root.getByTestId('field-error-lr')).toContainText('empty');
      await expect(search.runButton()).toBeDisabled();
    });

    await test.step('an architecture past the budget warns at its chip', async () => {
      await search.root.getByTestId('raw-yaml').fill('config:\n  f1: [8, 32]\n');
      await expect(search.parameter('f1').getByTestId('params-f1-32')).toHaveText(/params/);
      await expect(search.parameter('f1').locator('.chip.over-budget')).toHaveCount(1);
      await expect(search.root.getByTestId('field-warning-f1')).toContainText('budget');
    });
  });

  test('recipe keys: a link sets them by name, the editor shows and writes names', async ({ studio, search }) => {
    await studio.open('?lr_schedule=choice(cosine,onecycle)&optimizer=adamw&label_smoothing=0.1');
    await expect(search.parameter('optimizer').getByLabel('optimizer', { exact: true })).toHaveValue('adamw');
    await expect(search.parameter('label_smoothing').getByLabel('label_smoothing', { exact: true })).toHaveValue('0.1');
    await expect(search.parameter('lr_schedule').getByTestId('chip-lr_schedule')).toHaveCount(2);
    await expect(search.parameter('lr_schedule')).toContainText('onecycle');
    await search.setField('optimizer', 'adam');
    await expect(search.parameter('optimizer').getByLabel('optimizer', { exact: true })).toHaveValue('adam');
    await search.setField('augment_translate', '2');
    expect(await search.configText()).toContain('augment_translate: 2');
    await search.setField('optimizer', 'sgd');
    await expect(search.root.getByTestId('field-error-optimizer')).toContainText('one of adam, adamw');
    await expect(search.runButton()).toBeDisabled();
  });

  test('"Copy link" then opening the link restores the space', async ({ studio, search, context, browser }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await studio.open('?backend=wasm');
    await search.root.getByTestId('preset-original').click();
    await search.parameter('lr').getByLabel('lr kind').selectOption('interval');
    await search.setField('Trials', '8');
    await search.parameter('f2').getByLabel('Add a value to f2').fill('4');
    await search.parameter('f2').getByLabel('Add a value to f2').press('Enter');
    const yaml = await search.configText();
    await search.root.getByTestId('copy-link').click();
    const url = await search.root.getByTestId('share-url').inputValue();
    expect(url).toContain('backend=wasm');
    expect(url).toContain('lr=tag(log,interval(0.001,0.01))');
    expect(url).toContain('num_trials=8');

    await test.step('a new page from the link shows the same space', async () => {
      const other = await browser.newPage();
      await other.goto(url);
      const reopened = other.getByTestId('search-panel');
      await expect(reopened.getByTestId('active-overrides')).toContainText('num_trials=8');
      await expect(reopened.getByLabel('lr low')).toHaveValue('0.001');
      await expect(reopened.getByLabel('lr high')).toHaveValue('0.01');
      await expect(reopened.getByLabel('Trials', { exact: true })).toHaveValue('8');
      await expect(reopened.getByTestId('space-f2').getByTestId('chip-f2')).toHaveCount(2);
      // Written into its own config.yaml, the linked space reads back to the text it came from.
      await reopened.getByRole('button', { name: 'Write into config.yaml' }).click();
      await reopened.getByText('Raw config.yaml').click();
      const restored = await reopened.getByTestId('raw-yaml').inputValue();
      for (const line of yaml.split('\n').filter((l) => /^\s+\w+:/.test(l))) expect(restored).toContain(line.trim());
      await other.close();
    });
  });

  test('a tiny search updates the charts and table live and finishes TERMINATED', async ({ studio, search, page }) => {
    // React names a repeated key in a list; the charts once logged hundreds of them in one search.
    const duplicateKeys: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('same key')) duplicateKeys.push(message.text());
    });
    await studio.open();
    await search.setField('Trials', '2');
    await search.setField('Max epochs per trial', '2');
    await search.setField('Trials at once', '2');
    await search.run(TINY);

    await test.step('rows appear and run', async () => {
      await expect(search.trialRow('t0001')).toBeVisible();
      await expect(search.trialStatus('t0001')).toHaveText(/RUNNING|TERMINATED/);
      await studio.screenshot('search-running-1280', { width: 1280, height: 800 });
    });

    await test.step('charts fill in while it runs, then every trial is TERMINATED', async () => {
      await expect(search.root.getByTestId('chart-val-acc')).not.toHaveAttribute('data-points', '0');
      await expect(search.root.getByTestId('live-search')).toHaveAttribute('data-status', 'finished', { timeout: 240_000 });
      await expect(search.trialStatus('t0001')).toHaveText('TERMINATED');
      await expect(search.trialStatus('t0002')).toHaveText('TERMINATED');
      await expect(search.root.getByTestId('chart-val-acc')).toHaveAttribute('data-points', '2');
      await expect(search.root.getByTestId('best-trial')).toHaveCount(1);
      await expect(search.root.getByTestId('search-progress-text')).toContainText('2 of 2 trials done');
      await expect(search.root.getByTestId('search-progress-text')).toContainText('Finished: ');
      expect(duplicateKeys, 'React found no duplicate keys').toEqual([]);
    });

    await test.step('selecting and sorting rows; the finished search is listed in past experiments', async () => {
      await search.trialRow('t0002').click();
      await expect(search.trialRow('t0002')).toHaveAttribute('aria-selected', 'true');
      await search.root.getByRole('button', { name: 'Sort by best val_acc' }).click();
      const history = search.root.getByTestId('experiment-history');
      await expect(history.locator('tbody tr')).toHaveCount(1);
      await studio.screenshot('search-finished-1280', { width: 1280, height: 800 });
      await studio.screenshot('search-finished-820', { width: 820, height: 1180 });
      await history.getByRole('button', { name: /^Open experiment/ }).click();
      await expect(history.getByTestId('reopened-experiment').getByTestId('trial-status-t0001')).toHaveText('TERMINATED');
      await history.getByRole('button', { name: /^Delete experiment/ }).click();
      await expect(history.locator('tbody tr')).toHaveCount(0);
    });
  });

  test('stopping one trial ends it STOPPED while the next one starts; Stop all ends the search', async ({ readyStudio: studio, search }) => {
    await search.setField('Trials', '2');
    // Long trials (the whole training set, many epochs), so that the first is still training when
    // it is stopped however fast the engine: the fused CPU step trains thousands of images a second.
    await search.setField('Max epochs per trial', '20');
    await search.setField('Trials at once', '1');
    await search.run({ train: 60000, val: 256 });
    await expect(search.trialStatus('t0001')).toHaveText('RUNNING');
    await expect(search.root.getByTestId('trial-progress-t0001')).toContainText('step');
    await studio.screenshot('search-running-820', { width: 820, height: 1180 });
    await search.root.getByTestId('stop-trial-t0001').click();
    await expect(search.trialStatus('t0001')).toHaveText('STOPPED');
    await expect(search.trialStatus('t0002')).toHaveText('RUNNING');
    await search.root.getByTestId('stop-search').click();
    await expect(search.root.getByTestId('live-search')).toHaveAttribute('data-status', 'finished');
    // Stopped by the user reads as such, not as a search that finished normally.
    await expect(search.root.getByTestId('search-progress-text')).toContainText('Stopped by you: ');
    await expect(search.root.getByTestId('search-progress')).toHaveAttribute('data-outcome', 'stopped');
    await expect(search.trialStatus('t0002')).toHaveText('STOPPED');
  });
});
