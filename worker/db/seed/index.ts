export * from './builders';
export * from './demo';
