import { describe, expect, it } from 'vitest';
import { adminCredential, withoutWebFonts } from './queue.dashboard.js';

describe('adminCredential', () => {
  const basic = (userAndPassword: string) => `Basic ${Buffer.from(userAndPassword).toString('base64')}`;

  it('reads the token from Basic (any user name) or passes a Bearer header through', () => {
    expect(adminCredential(basic('admin:tok-1'))).toBe('Bearer tok-1');
    expect(adminCredential(basic('anyone:tok:with:colons'))).toBe('Bearer tok:with:colons');
    expect(adminCredential('Bearer tok-2')).toBe('Bearer tok-2');
    expect(adminCredential(undefined)).toBeUndefined();
  });

  it('has no credential in a Basic header without a password part', () => {
    expect(adminCredential(basic('no-colon'))).toBeUndefined();
  });
});

describe('withoutWebFonts', () => {
  it('drops links to Google Fonts and keeps every other tag', () => {
    const html =
      '<link href="https://fonts.googleapis.com/css2?family=X" rel="stylesheet"><link href="static/css/main.css" rel="stylesheet">';
    expect(withoutWebFonts(html)).toBe('<link href="static/css/main.css" rel="stylesheet">');
  });
});
