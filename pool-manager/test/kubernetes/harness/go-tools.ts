import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Absolute paths of the Go-built tools the Kubernetes tests use. */
export interface GoTools {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubectl: string;
  readonly kwok: string;
  readonly kwokStages: string;
  readonly helm: string;
}

const script = fileURLToPath(new URL('../../../../tools/go-tools.sh', import.meta.url));

/**
 * Builds (first time only) and locates the tools through tools/go-tools.sh, so a fresh
 * machine builds them and a cached one answers in well under a second. A missing tool is a
 * failure with the script's own explanation (which names any module the proxy lacked), never
 * a skip.
 */
export async function goTools(): Promise<GoTools> {
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [script, 'kube', 'etcd', 'kwok', 'helm'], {
      maxBuffer: 1 << 20,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `tools/go-tools.sh failed; the Kubernetes tests need its binaries:\n${stderr}`,
      {
        cause: error,
      },
    );
  }
  const paths = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) paths.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const need = (name: string): string => {
    const path = paths.get(name);
    if (path === undefined) throw new Error(`tools/go-tools.sh printed no path for ${name}`);
    return path;
  };
  return {
    etcd: need('etcd'),
    kubeApiserver: need('kube-apiserver'),
    kubectl: need('kubectl'),
    kwok: need('kwok'),
    kwokStages: need('kwok_stages'),
    helm: need('helm'),
  };
}
