// One Go-built tool's path from tools/go-tools.sh, which builds it from the Go module proxy the
// first time (minutes) and answers from its cache afterwards. A build failure fails the test
// with the script's explanation (it names any module the proxy lacked), never a skip.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../tools/go-tools.sh', import.meta.url));

export async function goTool(tool: 'grpcurl' | 'jaeger'): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [script, tool], { maxBuffer: 1 << 20 }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`tools/go-tools.sh ${tool} failed:\n${stderr}`, { cause: error });
  }
  const line = stdout.split('\n').find((l) => l.startsWith(`${tool}=`));
  if (line === undefined) throw new Error(`tools/go-tools.sh printed no path for ${tool}`);
  return line.slice(tool.length + 1);
}
