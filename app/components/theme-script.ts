/** Shared by the server layout and the client toggle (kept out of the 'use client' module). */
export const THEME_KEY = 'sisyphus-theme';

/** Runs inline in <head> so the page never flashes the wrong theme. */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem('${THEME_KEY}');var d=t?t==='dark':window.matchMedia('(prefers-color-scheme: dark)').matches;document.documentElement.classList.toggle('dark',d);}catch(e){}})();`;
