// One round of the Powertools side of scripts/bench-vs-powertools.sh: what a
// Lambda function written with Powertools for AWS Lambda (TypeScript) does
// with an event, from its bytes to the response's, timed in-process after a
// warm-up. It prints one JSON line with the fields of the Go side's result
// (bench/harness.go) that Node can measure.
//
//   node bench.mjs --dir DIR --source sqs --records 1000 [--round N] [--warmup 10] [--iterations 50]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const dir = args.dir;
const source = args.source ?? 'sqs';
const records = Number(args.records ?? 1000);
const round = Number(args.round ?? 1);
const warmup = Number(args.warmup ?? 10);
const iterations = Number(args.iterations ?? 50);
if (!dir || !(iterations >= 1)) {
  console.error('usage: node bench.mjs --dir DIR --source sqs|kinesis|dynamodb --records N [--round N] [--warmup N] [--iterations N]');
  process.exit(2);
}

// The per-record work, the same as the Go side's (handleOrder in
// bench/harness.go): read the decoded order, fail it when its status says so.
let sink = 0;
const handleOrder = (o) => {
  sink += o.items.length;
  if (o.status === 'REJECTED') {
    throw new Error(`order ${o.orderId}: order rejected`);
  }
};

// The record handlers as Powertools' documentation writes them: the SQS
// body and the Kinesis data (base64) parsed as JSON, the DynamoDB new image
// converted with unmarshall from @aws-sdk/util-dynamodb.
const setups = {
  sqs: {
    type: EventType.SQS,
    handler: async (record) => handleOrder(JSON.parse(record.body)),
  },
  kinesis: {
    type: EventType.KinesisDataStreams,
    handler: async (record) =>
      handleOrder(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))),
  },
  dynamodb: {
    type: EventType.DynamoDBStreams,
    handler: async (record) => {
      const image = record.dynamodb?.NewImage;
      if (!image) return; // a REMOVE; the generated events have none
      handleOrder(unmarshall(image));
    },
  },
};
const setup = setups[source];
if (!setup) {
  console.error(`unknown source ${source} (want sqs, kinesis or dynamodb)`);
  process.exit(2);
}
const processor = new BatchProcessor(setup.type);
const context = {
  functionName: 'orders-consumer',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  getRemainingTimeInMillis: () => 900_000,
};

// invoke is one invocation: the event's bytes in, the response's bytes out,
// as the Node.js runtime does around the handler (JSON.parse of the event,
// JSON.stringify of the result).
const invoke = async (payload) => {
  const event = JSON.parse(payload.toString('utf8'));
  const response = await processPartialResponse(event, setup.handler, processor, { context });
  return Buffer.from(JSON.stringify(response));
};

const payload = readFileSync(join(dir, `${source}-${records}.json`));
const want = readFileSync(join(dir, `${source}-${records}.expected.json`), 'utf8');

const got = (await invoke(payload)).toString('utf8');
if (got !== want) {
  console.error(`${source}, ${records} records: got response ${got.slice(0, 200)}…, want ${want.slice(0, 200)}…`);
  process.exit(1);
}
for (let i = 1; i < warmup; i++) {
  await invoke(payload);
}

// Collections during the timed iterations: count and main-thread pauses.
const gcs = [];
const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
await flush();
gcs.length = 0;

const cpuBefore = process.cpuUsage();
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) {
  await invoke(payload);
}
const wall = Number(process.hrtime.bigint() - start);
const cpu = process.cpuUsage(cpuBefore);
await flush();
observer.disconnect();
const gcPause = gcs.reduce((sum, e) => sum + e.duration, 0) * 1e6; // ms to ns

process.stdout.write(
  `${JSON.stringify({
    side: 'powertools',
    source,
    records,
    eventBytes: payload.length,
    round,
    iterations,
    nsPerEvent: wall / iterations,
    cpuNsPerEvent: ((cpu.user + cpu.system) * 1e3) / iterations,
    gcPerEvent: gcs.length / iterations,
    gcNsPerEvent: gcPause / iterations,
    maxRSSBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
if (sink < 0) console.error(sink); // keep the work observable
