import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { KubeConfig } from '@kubernetes/client-node';
import { goTools, type GoTools } from './go-tools.js';
import { startChild, waitUntil, type Child } from './process.js';

/** A throwaway control plane on loopback: etcd + kube-apiserver + kwok (one fake node). */
export interface TestCluster {
  readonly tools: GoTools;
  readonly server: string;
  readonly kubeconfigPath: string;
  /** The node kwok manages; pods with `spec.nodeName` set to it become Running. */
  readonly nodeName: string;
  kubeConfig(): KubeConfig;
  /** Runs kubectl against this cluster; rejects with its stderr on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

const NODE_NAME = 'kwok-node-0';

export async function startCluster(): Promise<TestCluster> {
  const tools = await goTools();
  const dir = await mkdtemp(join(tmpdir(), 'warmgate-kube-'));
  const children: Child[] = [];
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClient, etcdPeer, apiPort, kwokPort] = await freePorts(4);
    const token = randomBytes(24).toString('hex');
    await writeCredentials(dir, token);

    const etcd = startChild(
      'etcd',
      tools.etcd,
      etcdArgs(dir, etcdClient, etcdPeer),
      join(dir, 'etcd.log'),
    );
    children.push(etcd);
    const apiserver = startChild(
      'kube-apiserver',
      tools.kubeApiserver,
      apiserverArgs(dir, etcdClient, apiPort),
      join(dir, 'kube-apiserver.log'),
    );
    children.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    await waitForReadyz(server, token, Promise.race([etcd.exited, apiserver.exited]));

    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig(server, token));
    const kubectl = kubectlRunner(tools.kubectl, kubeconfigPath);
    await kubectl(['apply', '-f', '-'], fakeNode());
    const kwok = startChild(
      'kwok',
      tools.kwok,
      [
        `--kubeconfig=${kubeconfigPath}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        `--config=${join(tools.kwokStages, 'fast.yaml')}`,
        `--server-address=127.0.0.1:${kwokPort}`,
        '--node-ip=127.0.0.1',
      ],
      join(dir, 'kwok.log'),
    );
    children.push(kwok);
    await waitUntil(
      'kwok to mark the fake node Ready',
      async () =>
        (await kubectl([
          'get',
          'node',
          NODE_NAME,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ])) === 'True',
      60_000,
      kwok.exited,
    );
    return {
      tools,
      server,
      kubeconfigPath,
      nodeName: NODE_NAME,
      kubeConfig() {
        const config = new KubeConfig();
        config.loadFromFile(kubeconfigPath);
        return config;
      },
      kubectl,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function writeCredentials(dir: string, token: string): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(
    join(dir, 'tokens.csv'),
    `${token},warmgate-admin,warmgate-admin,"system:masters"\n`,
  );
}

function etcdArgs(dir: string, client: number, peer: number): string[] {
  return [
    '--name=warmgate-test',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${client}`,
    `--advertise-client-urls=http://127.0.0.1:${client}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=warmgate-test=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

function apiserverArgs(dir: string, etcdPort: number, port: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'pki')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    // One test client: flow control only costs CPU here.
    '--enable-priority-and-fairness=false',
    '--profiling=false',
  ];
}

async function waitForReadyz(server: string, token: string, exited: Promise<never>): Promise<void> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    await waitUntil(
      'kube-apiserver /readyz',
      async () => {
        const response = await fetch(`${server}/readyz`, {
          headers: { authorization: `Bearer ${token}` },
          dispatcher,
        });
        await response.body?.cancel();
        return response.status === 200;
      },
      90_000,
      exited,
    );
  } finally {
    await dispatcher.close();
  }
}

function kubeconfig(server: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
    'current-context': 'test',
  });
}

function fakeNode(): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: NODE_NAME,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { type: 'kwok', 'kubernetes.io/hostname': NODE_NAME },
    },
    spec: {},
  });
}

function kubectlRunner(kubectl: string, kubeconfigPath: string) {
  return async (args: string[], input?: string): Promise<string> => {
    const { spawn } = await import('node:child_process');
    const child = spawn(kubectl, [`--kubeconfig=${kubeconfigPath}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(input ?? '');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${code}): ${stderr}`);
    return stdout;
  };
}
