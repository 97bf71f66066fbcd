/** One colour per trial, stable by its position in the search (Tableau 10, legible on light and dark). */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The colour of the trial at `index`. */
export const trialColor = (index: number): string => PALETTE[index % PALETTE.length] ?? '#888888';
