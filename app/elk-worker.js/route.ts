/**
 * Serves elkjs's Web Worker build so the graph page lays out large DAGs off the main thread
 * (the page stays responsive while ELK works). Read from the installed package, not copied.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export const dynamic = 'force-static';

export async function GET(): Promise<Response> {
  const file = path.join(process.cwd(), 'node_modules', 'elkjs', 'lib', 'elk-worker.min.js');
  const body = await fs.readFile(file);
  return new Response(new Uint8Array(body), {
    headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=86400' },
  });
}
