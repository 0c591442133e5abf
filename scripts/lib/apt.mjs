/**
 * Installing Debian packages for the test services, quietly: output is kept and only its last
 * line is shown when something fails. Runs `apt-get update` only when the package lists are empty
 * or a first install attempt fails, and at most once per process.
 */
import fs from 'node:fs';
import { ScriptError, capture, lastLine } from './util.mjs';

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
let updated = false;

function listsEmpty() {
  try {
    return !fs.readdirSync('/var/lib/apt/lists').some((f) => f.includes('_Packages'));
  } catch {
    return true;
  }
}

async function update() {
  updated = true;
  const r = await capture('apt-get', ['update', '-o', 'DPkg::Lock::Timeout=300'], { env: APT_ENV });
  if (r.code !== 0) throw new ScriptError(`apt-get update failed: ${lastLine(r.output)}`);
}

/** Installs the packages (without recommends); throws a one-line ScriptError on failure. */
export async function aptInstall(packages) {
  const names = packages.join(' ');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ScriptError(`${names} is not installed; install it with: sudo apt-get install -y ${names}`);
  }
  const install = () =>
    capture(
      'apt-get',
      ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...packages],
      { env: APT_ENV },
    );
  if (!updated && listsEmpty()) await update();
  let r = await install();
  if (r.code !== 0 && !updated) {
    await update();
    r = await install();
  }
  if (r.code !== 0) {
    throw new ScriptError(
      `apt-get install ${names} failed (${lastLine(r.output) || `exit ${r.code}`}); try: apt-get update && apt-get install -y ${names}`,
    );
  }
}
