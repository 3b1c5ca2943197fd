import { renewMaps } from './churning-map.js';

/**
 * The fields in which the MCP SDK (1.x) keeps the requests in flight: its `Protocol` (Client and
 * Server) and its Streamable HTTP server transport. They are private to the SDK; the spec beside
 * this file fails if an SDK upgrade renames one.
 */
export const mcpSdkRequestMaps = [
  '_responseHandlers',
  '_progressHandlers',
  '_timeoutInfo',
  '_requestHandlerAbortControllers',
  '_requestToStreamMapping',
  '_requestResponseMap',
] as const;

/** How many requests an SDK object serves between two renewals of its Maps. */
export const renewMcpSdkMapsEvery = 1024;

/**
 * Renews the Maps of requests in flight of SDK objects that live long (see ChurningMap for why):
 * a Client or Server, or a Streamable HTTP server transport (whose Node form wraps a web-standard
 * one). Call it between two requests, every `renewMcpSdkMapsEvery` of them.
 */
export function renewMcpSdkMaps(...owners: object[]): void {
  for (const owner of owners) {
    renewMaps(owner, mcpSdkRequestMaps);
    const inner = (owner as { _webStandardTransport?: unknown })._webStandardTransport;
    if (typeof inner === 'object' && inner !== null) renewMaps(inner, mcpSdkRequestMaps);
  }
}
