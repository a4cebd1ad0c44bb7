/**
 * PKI of the test bed, made with the system openssl: a CA, the apiserver's
 * serving cert (127.0.0.1/localhost and the in-cluster names), an admin client
 * cert (O=system:masters), the service-account signing key pair and static
 * bearer tokens (--token-auth-file).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
  tokenFile: string;
  adminToken: string;
  /** token of the static user the sealed-secrets controller runs as */
  controllerToken: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() || err.message}`);
  }
}

export function makePki(dir: string, extraServerIps: string[] = []): Pki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const cnf = join(dir, 'openssl.cnf');
  const sans = [
    'DNS.1 = localhost',
    'DNS.2 = kubernetes',
    'DNS.3 = kubernetes.default',
    'DNS.4 = kubernetes.default.svc',
    'DNS.5 = kubernetes.default.svc.cluster.local',
    'IP.1 = 127.0.0.1',
    ...extraServerIps.map((ip, i) => `IP.${i + 2} = ${ip}`),
  ];
  writeFileSync(
    cnf,
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'CN = unused',
      '[v3_ca]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier = hash',
      '[server]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = @alt',
      '[client]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = clientAuth',
      '[alt]',
      ...sans,
      '',
    ].join('\n'),
  );
  const days = '3650';
  openssl(['genrsa', '-out', 'ca.key', '2048'], dir);
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=ksec-testbed-ca', '-days', days, '-config', cnf, '-extensions', 'v3_ca', '-out', 'ca.crt'], dir);
  const leaf = (name: string, subj: string, ext: string) => {
    openssl(['genrsa', '-out', `${name}.key`, '2048'], dir);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-config', cnf, '-out', `${name}.csr`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days, '-extfile', cnf, '-extensions', ext, '-out', `${name}.crt`], dir);
  };
  leaf('apiserver', '/CN=kube-apiserver', 'server');
  leaf('admin', '/O=system:masters/CN=ksec-admin', 'client');
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const adminToken = randomBytes(24).toString('hex');
  const controllerToken = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'tokens.csv');
  // token,user,uid,"group1,group2"
  writeFileSync(
    tokenFile,
    `${adminToken},ksec-admin,ksec-admin,"system:masters"\n` +
      `${controllerToken},system:serviceaccount:kube-system:sealed-secrets-controller,sealed-secrets-controller,"system:masters"\n`,
    { mode: 0o600 },
  );
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
    tokenFile,
    adminToken,
    controllerToken,
  };
}
