/** The tuner's pure core: configuration, search space, sampling, scheduling and search state. */
export * from './config';
export * from './experiment';
export * from './format';
export * from './grammar';
export * from './issues';
export * from './overrides';
export * from './rng';
export * from './sampler';
export * from './scheduler';
export * from './serialize';
export * from './space';
