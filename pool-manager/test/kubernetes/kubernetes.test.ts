// One control plane (etcd + kube-apiserver + kwok on loopback) for every Kubernetes scenario:
// starting it is the expensive part. The binaries come from tools/go-tools.sh; the first run
// on a fresh machine builds them (tens of minutes on 2 cores), hence the long setup timeout.
import { afterAll, beforeAll, describe } from 'vitest';
import { startCluster, type TestCluster } from './harness/cluster.js';
import { chartScenarios } from './chart-scenarios.js';
import { leaderScenarios } from './leader-scenarios.js';
import { mainScenarios } from './main-scenarios.js';
import { runtimeScenarios } from './runtime-scenarios.js';

let cluster: TestCluster | undefined;
const current = (): TestCluster => {
  if (cluster === undefined) throw new Error('the test cluster did not start');
  return cluster;
};

beforeAll(async () => {
  cluster = await startCluster();
}, 60 * 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('kubernetes runtime', () => runtimeScenarios(current));
describe('leader election', () => leaderScenarios(current));
describe('helm chart', () => chartScenarios(current));
describe('pool manager main (kubernetes runtime, leader lease)', () => mainScenarios(current));
