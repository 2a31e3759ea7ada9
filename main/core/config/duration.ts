// Durations live in main/common/duration.ts (pure), so the renderer's rule
// editor reads `5m` exactly as the provisioning file does.
export * from '../../common/duration.js';
