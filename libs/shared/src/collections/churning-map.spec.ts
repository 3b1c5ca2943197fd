import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ChurningMap, renewMaps } from './churning-map.js';
import { mcpSdkRequestMaps, renewMcpSdkMaps } from './mcp-sdk-maps.js';

describe('ChurningMap', () => {
  it('keeps its entries across renewals', () => {
    const map = new ChurningMap<number, string>(4);
    for (let i = 0; i < 20; i++) map.set(i, `v${i}`);
    for (let i = 0; i < 18; i += 2) expect(map.delete(i)).toBe(true);
    expect(map.delete(0)).toBe(false);
    expect(map.size).toBe(11);
    expect(map.get(1)).toBe('v1');
    expect(map.has(18)).toBe(true);
    expect(map.keys()).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 18, 19]);
    expect(new Map(map).get(19)).toBe('v19');
  });

  it('lets a loop over it delete what it visits, renewal or not', () => {
    const map = new ChurningMap<number, number>(2);
    for (let i = 0; i < 10; i++) map.set(i, i);
    const visited: number[] = [];
    for (const value of map.values()) {
      visited.push(value);
      map.delete(value);
    }
    expect(visited).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(map.size).toBe(0);
  });
});

describe('renewMaps', () => {
  it('replaces the named Map fields by copies and leaves the rest alone', () => {
    const owner = { a: new Map([[1, 'one']]), b: 'not a map', c: new Map() };
    const before = owner.a;
    renewMaps(owner, ['a', 'b', 'missing']);
    expect(owner.a).not.toBe(before);
    expect(owner.a.get(1)).toBe('one');
    expect(owner.b).toBe('not a map');
    expect(owner).not.toHaveProperty('missing');
  });
});

describe('the MCP SDK fields that renewMcpSdkMaps renews', () => {
  const mapFields = (owner: object) => mcpSdkRequestMaps.filter((field) => (owner as Record<string, unknown>)[field] instanceof Map);

  it('are still where this SDK version keeps its requests in flight', () => {
    const client = new Client({ name: 'spec', version: '1' });
    const server = new Server({ name: 'spec', version: '1' });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => 'id' });
    const inner = (transport as unknown as { _webStandardTransport: object })._webStandardTransport;
    const protocolFields = ['_responseHandlers', '_progressHandlers', '_timeoutInfo', '_requestHandlerAbortControllers'];
    expect(mapFields(client)).toEqual(protocolFields);
    expect(mapFields(server)).toEqual(protocolFields);
    expect(mapFields(inner)).toEqual(['_requestToStreamMapping', '_requestResponseMap']);

    const handlers = (client as unknown as { _responseHandlers: Map<number, string> })._responseHandlers;
    handlers.set(7, 'waiting');
    const requests = (inner as { _requestResponseMap: Map<number, string> })._requestResponseMap;
    renewMcpSdkMaps(client, transport);
    const renewed = (client as unknown as { _responseHandlers: Map<number, string> })._responseHandlers;
    expect(renewed).not.toBe(handlers);
    expect(renewed.get(7)).toBe('waiting');
    expect((inner as { _requestResponseMap: Map<number, string> })._requestResponseMap).not.toBe(requests);
  });
});
