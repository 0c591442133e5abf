import { describe, expect, it } from 'vitest';
import { APP_ICON_DATA_URL, APP_ICON_SVG } from '../components/app-icon';
import { GET } from './route';

describe('GET /favicon.ico', () => {
  it("answers the layout's icon as SVG, so a browser's default request is no 404", async () => {
    const res = GET();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    const body = await res.text();
    expect(body).toBe(APP_ICON_SVG);
    expect(decodeURIComponent(APP_ICON_DATA_URL.slice('data:image/svg+xml,'.length))).toBe(body);
  });
});
