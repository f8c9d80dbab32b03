/**
 * The built-in status page (GET /): a Feature contributing one route. The page module
 * (markup, style, script) is loaded on the first request for it, so an application whose
 * page is never opened pays nothing for it; the page then polls the JSON endpoints from
 * the browser, and the server keeps no state or timer for it.
 */
import type { Feature } from '../../feature';
import type { Handler } from '../router';

export const statusPageHandler: Handler = () => {
  const { statusPage } = require('./page') as typeof import('./page');
  const { html, headers } = statusPage();
  return { status: 200, headers, body: html };
};

export function createStatusPageFeature(): Feature {
  return { bind: () => ({ '/': { GET: statusPageHandler } }) };
}
