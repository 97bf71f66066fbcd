/**
 * The charts, loaded on first use: recharts is the page's largest dependency after React, and the
 * first screen (the drawing pad, the search's settings) needs none of it.
 */
import { lazy } from 'react';

export const TrialCharts = lazy(() => import('./TrialCharts').then((m) => ({ default: m.TrialCharts })));
export const ParamScatter = lazy(() => import('./ParamScatter').then((m) => ({ default: m.ParamScatter })));
export const ExperimentCompare = lazy(() => import('../compare/ExperimentCompare').then((m) => ({ default: m.ExperimentCompare })));
