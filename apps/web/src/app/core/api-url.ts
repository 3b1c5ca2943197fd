/**
 * Joins the configured API base URL and an endpoint path with exactly one slash.
 *
 * apiUrl('', '/health/ready')                   -> '/health/ready'
 * apiUrl('https://chat.example/', 'health/ready') -> 'https://chat.example/health/ready'
 */
export function apiUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
