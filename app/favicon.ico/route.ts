/** GET /favicon.ico: the app's icon (app/components/app-icon.ts), for browsers that ask by default. */
import { APP_ICON_SVG } from '../components/app-icon';

export const dynamic = 'force-static';

export function GET(): Response {
  return new Response(APP_ICON_SVG, {
    headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' },
  });
}
