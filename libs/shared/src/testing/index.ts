export * from './database.js';
export * from './processes.js';
export * from './redis.js';
export * from './eventually.js';
export * from './fake-openai.js';
