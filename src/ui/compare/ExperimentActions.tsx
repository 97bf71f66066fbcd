import { useState } from 'react';
import { BACKEND_CHOICES, type BackendChoice } from '../../backend/choice';
import { useStudio } from '../../state/store';
import { loadExperiment } from '../../tune/persistence';
import { rayResultFiles, rayResultsZip } from '../../tune/rayResults';
import { rayProjectFiles, rayProjectZip } from '../../export/rayProject';
import { ARCHITECTURES } from '../../model/registry';
import { parseConfigOrThrow } from '../../tune/config';
import { DOWNLOAD_TYPES, downloadFile } from '../checkpoint/download';
import { messageOf } from '../../studioError';

async function loadOrThrow(id: string) {
  const record = await loadExperiment(id);
  if (!record) throw new Error(`experiment ${id} is no longer saved`);
  return record;
}

/** The backend a saved search asked for; `auto` for one imported from Ray, which ran on none of ours. */
const backendOf = (backend: string): BackendChoice => (BACKEND_CHOICES as readonly string[]).includes(backend) ? (backend as BackendChoice) : 'auto';

/** Downloads a saved experiment as Ray's results layout in one zip. */
async function downloadExperimentResults(id: string): Promise<void> {
  const record = await loadOrThrow(id);
  const zip = rayResultsZip(rayResultFiles(record.state, record.id), record.id);
  downloadFile(`${record.id}-results.zip`, new Uint8Array(zip), DOWNLOAD_TYPES.zip);
}

/** Downloads a saved experiment's search as a Ray Tune project (main.py, objective.py, ...) in one zip. */
async function downloadRayProject(id: string): Promise<void> {
  const record = await loadOrThrow(id);
  const config = parseConfigOrThrow(record.configText, record.overrides, { models: Object.keys(ARCHITECTURES) });
  const name = record.id.replace(/[^A-Za-z0-9_]/g, '_');
  downloadFile(`${record.id}-ray-project.zip`, new Uint8Array(rayProjectZip(rayProjectFiles(config, name), name)), DOWNLOAD_TYPES.zip);
}

/** A past experiment's own actions: download its results, or run its space and seed again. */
export function ExperimentActions({ id, label }: { id: string; label: string }) {
  const searching = useStudio((s) => s.search?.status === 'running');
  const [problem, setProblem] = useState<string | null>(null);

  const rerun = async () => {
    setProblem(null);
    try {
      const record = await loadOrThrow(id);
      const studio = useStudio.getState();
      studio.setConfigText(record.configText);
      studio.setOverrides(record.overrides);
      // The search runs on; only a refusal to start is this button's to show.
      void studio
        .startSearch({ trainLimit: record.trainLimit, valLimit: record.valLimit, backend: backendOf(record.backend) })
        .catch((error: unknown) => setProblem(messageOf(error)));
    } catch (error) {
      setProblem(messageOf(error));
    }
  };

  return (
    <>
      <button type="button" onClick={() => void downloadExperimentResults(id).catch((e: unknown) => setProblem(messageOf(e)))} aria-label={`Download results (zip) of experiment from ${label}`}>
        Download results (zip)
      </button>
      <button type="button" onClick={() => void downloadRayProject(id).catch((e: unknown) => setProblem(messageOf(e)))} aria-label={`Download Ray Tune project (zip) of experiment from ${label}`}>
        Ray Tune project (zip)
      </button>
      <button type="button" disabled={searching} onClick={() => void rerun()} aria-label={`Re-run experiment from ${label}`}>
        Re-run
      </button>
      {problem && (
        <span className="error" role="alert">
          {problem}
        </span>
      )}
    </>
  );
}
