/** The names of the files in a trial's export, as the zip and `npm run tune`'s folder lay them out. */
export const EXPORT_FILES = {
  checkpoint: 'checkpoint.pt',
  tfjsFolder: 'tfjs',
  tfjsModel: 'tfjs/model.json',
  config: 'config.yaml',
  results: 'results.json',
} as const;
