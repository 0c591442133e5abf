/**
 * The app's icon (a sky-blue tile with a white peak), one SVG for both places a browser looks:
 * the layout's metadata (inline, so a page needs no request) and /favicon.ico (the default a
 * browser fetches when it finds no icon link at some moment, e.g. while a client navigation
 * replaces the head's metadata; without it that fetch was a 404 in the console).
 */
export const APP_ICON_SVG =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='3' fill='#0284c7'/><path d='M4 12 L8 4 L12 12' stroke='white' stroke-width='2' fill='none'/></svg>";

/** The icon as the data: URL the layout declares. */
export const APP_ICON_DATA_URL = `data:image/svg+xml,${APP_ICON_SVG.replace(/</g, '%3C').replace(/>/g, '%3E').replace(/#/g, '%23')}`;
