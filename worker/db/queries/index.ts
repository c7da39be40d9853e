export * from './types';
export * from './cursor';
export * from './shops';
export * from './appointments';
export * from './clients';
export * from './notifications';
