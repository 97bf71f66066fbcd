import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installAutomation } from './automation';
import { startWithServiceWorker } from './pwa/register';
import { useStudio } from './state/store';
import { App } from './ui/App';
import { PanelBoundary } from './ui/PanelBoundary';
import './ui/styles.css';

installAutomation(useStudio);

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks the #root element');
void startWithServiceWorker(
  () =>
    // Boundaries log what they catch themselves, once; React's own report of it would repeat it.
    createRoot(root, { onCaughtError: () => undefined }).render(
      <StrictMode>
        <PanelBoundary name="studio">
          <App />
        </PanelBoundary>
      </StrictMode>,
    ),
  () => {
    root.textContent = 'Saving FileNest Digit Studio for offline use…';
  },
);
