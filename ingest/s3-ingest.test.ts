/**
 * Kafka -> bronze on S3 when the object store fails: the `lakehouse` command talks to the real Ceph RGW through
 * a fault-injecting proxy (test/fault-proxy.ts) and consumes from librdkafka's mock cluster.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startFaultProxy, type FaultProxy } from '../test/fault-proxy.js';
import { startKafkaMock, type KafkaMock } from '../test/kafka-mock.js';
import { runCli } from '../test/cli.js';
import { KafkaBus } from '../bus/kafka-bus.js';

const s3 = inject('s3');
const bucket = `ingest-faults-${process.pid}`;
let admin: S3Client;
let proxy: FaultProxy;
let mock: KafkaMock;

beforeAll(async () => {
  admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, forcePathStyle: true });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  proxy = await startFaultProxy({ target: s3.endpoint });
  mock = await startKafkaMock({ binary: inject('kafkaMockBinary'), topics: { trades: 4 } });
  const bus = new KafkaBus({ brokers: mock.brokers });
  const producer = await bus.producer();
  await producer.send(Array.from({ length: 2_000 }, (_, i) => ({ topic: 'trades', key: `T${i}`, value: `{"trade_id":"T${i}"}`, timestamp: 1772443800000 + i })));
  await producer.close();
  await bus.close();
});

afterAll(async () => {
  await proxy?.close();
  await mock?.stop();
  admin?.destroy();
});

const env = () => ({ S3_ENDPOINT: proxy.endpoint, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region });

function ingest(lake: string, group: string) {
  return runCli(['ingest', '--source', 'kafka', '--brokers', mock.brokers.join(','), '--topics', 'trades', '--lake', lake, '--group', group,
    '--format', 'json', '--session-timeout-ms', '3000', '--heartbeat-interval-ms', '300'], { env: env() });
}

async function countRows(lake: string): Promise<unknown> {
  const r = await runCli(['sql', 'SELECT count(*) AS n, count(DISTINCT ("partition", "offset")) AS d FROM bronze.records', '--lake', lake, '--format', 'json'], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function objectsUnder(prefix: string): Promise<string[]> {
  const r = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key ?? '');
}

async function committed(group: string): Promise<unknown[]> {
  const bus = new KafkaBus({ brokers: mock.brokers });
  try {
    return await bus.committedOffsets(group, ['trades']);
  } finally {
    await bus.close();
  }
}

describe('ingest into an S3 lake whose store fails', () => {
  it('retries 503 SlowDown answers and lands every record once', async () => {
    proxy.resetCounts();
    proxy.failNext(4, { method: 'PUT', status: 503 });
    const r = await ingest(`s3://${bucket}/retried`, 'retried');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 2_000, landed: 2_000 });
    expect(proxy.faults('PUT')).toBe(4);
    expect(await countRows(`s3://${bucket}/retried`)).toEqual([{ n: '2000', d: '2000' }]);
  });

  it('leaves no visible file and commits no offset when an upload finally fails, then lands all on the next run', async () => {
    proxy.failAll({ method: 'PUT', status: 503 });
    const failed = await ingest(`s3://${bucket}/failing`, 'failing');
    proxy.clear();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/lakehouse: .*(PUT|put)/);
    expect(await objectsUnder('failing/')).toEqual([]);
    expect(await committed('failing')).toEqual([]);
    expect(await countRows(`s3://${bucket}/failing`)).toEqual([{ n: '0', d: '0' }]);

    const again = await ingest(`s3://${bucket}/failing`, 'failing');
    expect(again.code, again.stderr).toBe(0);
    expect(await countRows(`s3://${bucket}/failing`)).toEqual([{ n: '2000', d: '2000' }]);
  });
});
