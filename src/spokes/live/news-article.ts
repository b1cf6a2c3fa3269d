/** One news article as the news tools return it, whichever provider found it. */
export interface NewsArticle {
  title: string;
  description: string;
  url: string;
  /** The publication (Reuters, CNBC…). */
  source: string;
  published_at: string;
}
