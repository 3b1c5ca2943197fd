import type { McpToolInfo, UploadDto } from '@dataflow/shared';
import { selectTools, systemPromptFor } from './turn-context.js';

const tool = (server: string, name: string, description: string): McpToolInfo => ({ qualifiedName: `${server}__${name}`, server, name, description, inputSchema: { type: 'object' } });

describe('selectTools', () => {
  // A catalog the size of LibreChat #12702's: 292 tools, most of them unrelated to the question.
  const catalog = [
    tool('data', 'query', 'Run one read-only SQL SELECT over the datasets'),
    tool('data', 'chart', 'Chart a query or a dataset as Vega-Lite'),
    ...Array.from({ length: 288 }, (_, index) => tool(`saas${index % 12}`, `action_${index}`, `Manage tickets, invoices and calendar events (${index})`)),
    tool('github', 'create_issue', 'Create an issue in a GitHub repository'),
    tool('github', 'search_code', 'Search code across GitHub repositories'),
  ];

  it('offers a catalog that fits whole, in order', () => {
    expect(selectTools(catalog.slice(0, 10), 'anything', 40)).toEqual(catalog.slice(0, 10));
  });

  it('narrows a larger catalog to the tools that share words with the question, keeping catalog order', () => {
    const chosen = selectTools(catalog, 'Chart the monthly totals of the sales dataset with a SQL query', 5);
    expect(chosen).toHaveLength(5);
    expect(chosen.slice(0, 2).map((entry) => entry.qualifiedName)).toEqual(['data__query', 'data__chart']);
    expect(selectTools(catalog, 'open an issue on GitHub about the failing repository build', 3).map((entry) => entry.qualifiedName)).toEqual(
      expect.arrayContaining(['github__create_issue', 'github__search_code']),
    );
  });
});

describe('systemPromptFor', () => {
  const upload = (name: string, id: string): UploadDto => ({ id, name, size: 2048, sha256: '0'.repeat(64), mimeType: 'text/csv', kind: 'csv', storagePath: `uploads/${id}/${name}`, uploadedAt: '2026-11-24T00:00:00.000Z' }) as UploadDto;

  it('names the attached files first, then the others, and says when there are none', () => {
    const sales = upload('sales.csv', 'a');
    const prompt = systemPromptFor([upload('costs.csv', 'b'), sales], [sales]);
    expect(prompt.indexOf('uploads/a/sales.csv')).toBeLessThan(prompt.indexOf('uploads/b/costs.csv'));
    expect(prompt).toContain('attached');
    expect(prompt.match(/uploads\/a\/sales\.csv/g)).toHaveLength(1);
    expect(systemPromptFor([], [])).toContain('has not uploaded any files');
  });
});
