// The engine's shapes live in main/common/alertModel.ts (the contract and the
// renderer read them); re-exported here so the engine's modules keep one import.
export * from '../../common/alertModel.js';
