// The timeline strategies: a flag value the product is configured with (libs/config), a `?strategy=` a read may ask
// for and a field every timeline answer carries, so the load suite and the API name them from the same list.
export const STRATEGIES = ['push', 'pull', 'hybrid'] as const;
export type Strategy = (typeof STRATEGIES)[number];
