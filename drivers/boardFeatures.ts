/** Hardware features a board may offer; each driver names the one it runs on. */
export const boardFeatures = ['gpio', 'serial', 'audio', 'display', 'enclave'] as const;
export type BoardFeature = (typeof boardFeatures)[number];
