// The two ways PostHog builds paging links: its own format_query_params_absolute_url (persons
// list, activity) and DRF's LimitOffsetPagination (deletion_status).

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * PostHog's format_query_params_absolute_url for one parameter: replace `alias=<digits>` in the
 * raw absolute URL, or append it. A falsy value (0) leaves the URL unchanged, which is why the
 * `previous` link of page 2 points at page 2 itself.
 */
export function replaceOrAppend(url: string, alias: string, value: number): string {
  if (!value) return url;
  const pattern = new RegExp(`([&?]${escapeRegExp(alias)}=)(\\d+)`, 'g');
  if (pattern.test(url)) return url.replace(pattern, `$1${value}`);
  return `${url}${url.includes('?') ? '&' : '?'}${alias}=${value}`;
}

/** Python's urlencode(sorted(...)) as DRF's replace_query_param uses it. */
function encodeSorted(params: URLSearchParams): string {
  const pairs = [...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new URLSearchParams(pairs).toString();
}

function withParams(url: string, edit: (params: URLSearchParams) => void): string {
  const [base, query = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  edit(params);
  const encoded = encodeSorted(params);
  return encoded ? `${base}?${encoded}` : base;
}

/** DRF LimitOffsetPagination's next and previous links. */
export function limitOffsetLinks(url: string, limit: number, offset: number, count: number): { next: string | null; previous: string | null } {
  const next =
    offset + limit < count
      ? withParams(url, (p) => {
          p.set('limit', String(limit));
          p.set('offset', String(offset + limit));
        })
      : null;
  let previous: string | null = null;
  if (offset > 0) {
    previous = withParams(url, (p) => {
      p.set('limit', String(limit));
      if (offset - limit <= 0) p.delete('offset');
      else p.set('offset', String(offset - limit));
    });
  }
  return { next, previous };
}

/** Python int() on a query value: optional sign and surrounding spaces; null if not a number. */
export function parsePythonInt(raw: string): number | null {
  return /^\s*[+-]?\d+\s*$/.test(raw) ? Number.parseInt(raw, 10) : null;
}
