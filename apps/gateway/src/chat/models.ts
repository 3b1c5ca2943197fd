import { readFileSync } from 'node:fs';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { GatewayEnv } from '@dataflow/shared';

export const providers = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ProviderName = (typeof providers)[number];

/** A configured model, as `GET /api/v1/models` shows it (never its key). */
export interface ModelInfo {
  id: string;
  label: string;
  provider: ProviderName;
  contextWindow: number | null;
  tools: boolean;
  default: boolean;
}

interface ModelEntry extends ModelInfo {
  /** The provider's name for the model. */
  model: string;
  baseUrl?: string;
  /** The environment variable that holds the key; the key itself is never in the file. */
  apiKeyEnv?: string;
}

export interface ConfiguredModel {
  info: ModelInfo;
  /** The AI SDK model the turn streams from. */
  language: LanguageModel;
}

function fromFile(path: string): ModelEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`MODELS_FILE ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  const models = (parsed as { models?: unknown }).models;
  if (!Array.isArray(models)) throw new Error(`MODELS_FILE ${path} must hold {"models": [...]}`);
  return models.map((entry: Record<string, unknown>, index) => {
    const where = `MODELS_FILE ${path}, models[${index}]`;
    if (typeof entry.id !== 'string' || !/^[\w.:/-]{1,200}$/.test(entry.id)) throw new Error(`${where}: id must be 1–200 of letters, digits and _ . : / -`);
    if (!providers.includes(entry.provider as ProviderName)) throw new Error(`${where}: provider must be one of ${providers.join(', ')}`);
    if (typeof entry.model !== 'string') throw new Error(`${where}: model (the provider's name for it) is missing`);
    if (entry.provider === 'openai-compatible' && typeof entry.baseUrl !== 'string') throw new Error(`${where}: an openai-compatible model needs baseUrl`);
    return {
      id: entry.id,
      label: typeof entry.label === 'string' ? entry.label : entry.id,
      provider: entry.provider as ProviderName,
      model: entry.model,
      baseUrl: typeof entry.baseUrl === 'string' ? entry.baseUrl : undefined,
      apiKeyEnv: typeof entry.apiKeyEnv === 'string' ? entry.apiKeyEnv : undefined,
      contextWindow: typeof entry.contextWindow === 'number' ? entry.contextWindow : null,
      tools: entry.tools !== false,
      default: entry.default === true,
    };
  });
}

/** What the environment configures on its own: OpenAI (or an OpenAI-compatible server) and Anthropic. */
function fromEnv(config: Partial<GatewayEnv>): ModelEntry[] {
  const entries: ModelEntry[] = [];
  if (config.OPENAI_MODEL) {
    const compatible = Boolean(config.OPENAI_BASE_URL);
    entries.push({
      id: config.OPENAI_MODEL,
      label: config.OPENAI_MODEL,
      provider: compatible ? 'openai-compatible' : 'openai',
      model: config.OPENAI_MODEL,
      baseUrl: config.OPENAI_BASE_URL,
      apiKeyEnv: 'OPENAI_API_KEY',
      contextWindow: null,
      tools: true,
      default: false,
    });
  }
  if (config.ANTHROPIC_MODEL) {
    entries.push({ id: config.ANTHROPIC_MODEL, label: config.ANTHROPIC_MODEL, provider: 'anthropic', model: config.ANTHROPIC_MODEL, apiKeyEnv: 'ANTHROPIC_API_KEY', contextWindow: null, tools: true, default: false });
  }
  return entries;
}

function languageModel(entry: ModelEntry, env: NodeJS.ProcessEnv): LanguageModel {
  const apiKey = entry.apiKeyEnv ? env[entry.apiKeyEnv] : undefined;
  switch (entry.provider) {
    case 'openai':
      return createOpenAI({ apiKey, baseURL: entry.baseUrl }).chat(entry.model);
    case 'anthropic':
      return createAnthropic({ apiKey, baseURL: entry.baseUrl })(entry.model);
    case 'openai-compatible':
      return createOpenAICompatible({ name: entry.id, baseURL: entry.baseUrl!, apiKey, includeUsage: true }).chatModel(entry.model);
  }
}

/** The models a gateway offers: the file's, then the environment's. None means direct mode. */
export class Models {
  private readonly byId = new Map<string, ConfiguredModel>();

  constructor(config: Partial<GatewayEnv>, env: NodeJS.ProcessEnv = process.env) {
    const entries = [...(config.MODELS_FILE ? fromFile(config.MODELS_FILE) : []), ...fromEnv(config)];
    const defaultId = (entries.find((entry) => entry.default) ?? entries[0])?.id;
    for (const entry of entries) {
      if (this.byId.has(entry.id)) throw new Error(`The model ${entry.id} is configured twice`);
      const { model: _model, baseUrl: _baseUrl, apiKeyEnv: _apiKeyEnv, ...info } = entry;
      this.byId.set(entry.id, { info: { ...info, default: entry.id === defaultId }, language: languageModel(entry, env) });
    }
  }

  list(): ModelInfo[] {
    return [...this.byId.values()].map((model) => model.info);
  }

  /** The model with this id, the default without one; undefined when none is configured (direct mode). */
  resolve(id: string | undefined): ConfiguredModel | undefined {
    if (id !== undefined) return this.byId.get(id);
    return [...this.byId.values()].find((model) => model.info.default);
  }
}
