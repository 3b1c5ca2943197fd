/**
 * The contracts the web app shares with the services: plain types and functions, no decorators
 * and nothing of Node's, so that a browser bundle can import them. Everything here is also
 * exported by the package's index for the services.
 */
export * from './contracts/mcp-views.js';
export * from './contracts/message-parts.js';
export * from './contracts/turn-events.js';
