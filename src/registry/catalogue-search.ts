import MiniSearch from 'minisearch';
import type { CatalogueTool, ToolFilter } from './registry-directory.js';
import type { RegistryStore } from './registry-store.js';

/** One hit of a catalogue search: the tool with its relevance (higher is better). */
export type CatalogueHit = CatalogueTool & { score: number };

interface IndexedTool {
  id: string;
  name: string;
  description: string;
  category: string;
  tags: string;
  service: string;
}

/**
 * Full-text search over the tool catalogue (MiniSearch: BM25 ranking, prefix and fuzzy matching):
 * names, descriptions, categories, tags and service names, names weighted highest. Tool names
 * split at `_`, `-`, `.` and `/` like words ("risk_calculate_var" is found by "var"). The index is
 * rebuilt on the first search after a registration or a departure, not on every registration (a
 * burst costs one rebuild) and not on health changes (which happen all the time at scale and do
 * not change this catalogue).
 */
export function createCatalogueSearch(store: RegistryStore) {
  let index: MiniSearch<IndexedTool> | undefined;
  store.on('change', (change) => {
    if (change.definitionsChanged) index = undefined;
  });

  function build(): MiniSearch<IndexedTool> {
    const search = new MiniSearch<IndexedTool>({
      fields: ['name', 'description', 'category', 'tags', 'service'],
      storeFields: [],
      tokenize: (text) => text.split(/[\s\p{P}\p{S}]+/u).filter(Boolean),
      searchOptions: { boost: { name: 3, category: 1.5, tags: 1.5 }, prefix: true, fuzzy: 0.2 },
    });
    const documents: IndexedTool[] = [];
    for (const name of store.catalogueToolNames()) {
      const tool = store.getCatalogueTool(name);
      if (!tool) continue;
      documents.push({
        id: name,
        name,
        description: tool.description ?? '',
        category: tool.category ?? '',
        tags: tool.tags.join(' '),
        service: tool.service_name,
      });
    }
    search.addAll(documents);
    return search;
  }

  return {
    /** The best `limit` tools for `query` (every word must match, most relevant first). */
    search(query: string, filter: Omit<ToolFilter, 'cursor'>): CatalogueHit[] {
      index ??= build();
      const hits: CatalogueHit[] = [];
      for (const result of index.search(query, { combineWith: 'AND' })) {
        if (hits.length >= filter.limit) break;
        const name = String(result.id);
        if (!store.catalogueToolMatches(name, filter)) continue;
        const tool = store.getCatalogueTool(name);
        if (tool) hits.push({ ...tool, score: Math.round(result.score * 1000) / 1000 });
      }
      return hits;
    },
  };
}
