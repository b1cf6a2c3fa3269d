import { createLiveClient, type LiveService, unexpectedAnswer } from './live-request.js';

const OPENSANCTIONS: LiveService = { name: 'OpenSanctions', keyVariable: 'OPENSANCTIONS_API_KEY' };

export interface SanctionsMatch {
  id: string;
  name: string;
  schema: string;
  score: number;
  datasets: string[];
  topics: string[];
  countries: string[];
  url: string;
}

/**
 * OpenSanctions' matching API (https://api.opensanctions.org/#tag/Matching): scores an entity
 * against the consolidated sanctions, PEP and watch lists of its `default` collection.
 */
export function createOpenSanctions(options: { apiKey: string; baseUrl?: string; timeoutMs?: number }) {
  const baseUrl = options.baseUrl ?? 'https://api.opensanctions.org';
  const request = createLiveClient(OPENSANCTIONS);
  return {
    service: OPENSANCTIONS,
    async match(entity: { name: string; type: 'person' | 'company' | 'any'; country?: string }) {
      const schema = { person: 'Person', company: 'Company', any: 'LegalEntity' }[entity.type];
      const properties: Record<string, string[]> = { name: [entity.name] };
      if (entity.country) properties.country = [entity.country.toLowerCase()];
      const body = (await request(`${baseUrl}/match/default`, {
        method: 'POST',
        timeoutMs: options.timeoutMs,
        headers: { Authorization: `ApiKey ${options.apiKey}` },
        body: { queries: { q: { schema, properties } } },
      })) as { responses?: { q?: { results?: Record<string, unknown>[] } } };
      const results = body?.responses?.q?.results;
      if (!Array.isArray(results)) throw unexpectedAnswer(OPENSANCTIONS, 'match results');
      return results.map((r): SanctionsMatch => {
        const props = (r.properties ?? {}) as Record<string, string[]>;
        return {
          id: String(r.id),
          name: String(r.caption ?? props.name?.[0] ?? r.id),
          schema: String(r.schema ?? ''),
          score: Number(r.score ?? 0),
          datasets: (r.datasets as string[] | undefined) ?? [],
          topics: props.topics ?? [],
          countries: props.country ?? [],
          url: `https://www.opensanctions.org/entities/${encodeURIComponent(String(r.id))}/`,
        };
      });
    },
  };
}

export type OpenSanctions = ReturnType<typeof createOpenSanctions>;
