/**
 * Starts the real components the tests talk to, once per `npm test`:
 * - compiles librdkafka's mock-cluster launcher (each Kafka test starts its own broker from it; it starts in ~10 ms);
 * - starts one Ceph RADOS Gateway (S3) on 127.0.0.1 (~13 s); each S3 test uses a bucket of its own.
 * Both stop in teardown; the processes also exit if the test runner dies.
 * `TEST_S3=0` skips the gateway when running only tests that do not use S3 (the S3 tests then fail, saying so).
 */
import type { TestProject } from 'vitest/node';
import { buildKafkaMock } from './kafka-mock.js';
import { startRgw, type RgwServer } from './rgw.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaMockBinary: string;
    s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  }
}

let rgw: RgwServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  project.provide('kafkaMockBinary', await buildKafkaMock());
  if (process.env.TEST_S3 === '0') {
    project.provide('s3', { endpoint: 'http://127.0.0.1:9/TEST_S3=0-skipped-the-gateway', accessKeyId: '-', secretAccessKey: '-', region: 'us-east-1' });
    return;
  }
  rgw = await startRgw();
  project.provide('s3', { endpoint: rgw.endpoint, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey, region: 'us-east-1' });
}

export async function teardown(): Promise<void> {
  await rgw?.stop();
}
