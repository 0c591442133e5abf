/** GET /ping: liveness check, answered as Chronos does with the text "pong". */
export function GET(): Response {
  return new Response('pong', { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
