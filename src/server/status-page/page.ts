/**
 * The status page as served: one HTML document with its style and script inline, and the
 * Content-Security-Policy that allows exactly those two (by their SHA-256 hashes), JSON
 * requests to the page's own origin and data: images, nothing else. Built once, on the
 * first request for it.
 */
import { createHash } from 'node:crypto';
import { BODY } from './markup';
import { STYLE } from './style';
import { CLIENT_CORE } from './client-core';
import { CLIENT_RENDER } from './client-render';
import { CLIENT_POLL } from './client-poll';

export interface Page {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The script, one strict-mode function scope: nothing leaks into window. */
export const SCRIPT = `(function () {\n'use strict';\n${CLIENT_CORE}${CLIENT_RENDER}${CLIENT_POLL}})();\n`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function build(): Page {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>otelkit status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
${BODY}
<script>${SCRIPT}</script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(SCRIPT, STYLE),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    },
  };
}

let page: Page | undefined;

export function statusPage(): Page {
  page ??= build();
  return page;
}
