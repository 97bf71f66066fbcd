import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installAutomation } from './automation';
import { startWithServiceWorker } from './pwa/register';
import { useStudio } from './state/store';
import { App } from './ui/App';
import './ui/styles.css';

installAutomation(useStudio);

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks the #root element');
void startWithServiceWorker(
  () =>
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  () => {
    root.textContent = 'Saving FileNest Digit Studio for offline use…';
  },
);
