/**
 * `npm run example -- <name> [options]`: loads an example from examples/<name>/ into a running
 * Sisyphus. Known: nightly-transcode (examples/nightly-transcode/README.md).
 */
import { main as nightlyTranscode } from './nightly-transcode/load';

const EXAMPLES: Record<string, typeof nightlyTranscode> = { 'nightly-transcode': nightlyTranscode };

const [name, ...rest] = process.argv.slice(2);
const run = name ? EXAMPLES[name] : undefined;
if (!run) {
  console.error(`${name ? `no example named ${name}` : 'name an example'}; usage: npm run example -- ${Object.keys(EXAMPLES).join('|')} [options]`);
  process.exit(1);
}
void run(rest, process.env, process.cwd(), (l) => console.log(l), (l) => console.error(l)).then((code) => {
  process.exitCode = code;
});
