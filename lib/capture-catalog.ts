import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAYOUT } from '../lambdas/shared/contracts/layout.js';

export interface CaptureCatalogProps {
  /** The bucket the capture delivery stream writes to. */
  readonly bucket: s3.IBucket;
  /** The models whose partitions exist (`model=<name>`), from the model files. */
  readonly models: readonly string[];
}

const JSON_SERDE = {
  serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
  parameters: { 'ignore.malformed.json': 'true' },
};
const payload = 'struct<observedcontenttype:string,mode:string,data:string,encoding:string>';

/** The capture records' fields (lambdas/core/capture-record.ts), lower-cased as Hive reads JSON keys. */
const CAPTURE_COLUMNS: glue.CfnTable.ColumnProperty[] = [
  { name: 'mlopsrecord', type: 'string' },
  { name: 'model', type: 'string' },
  { name: 'version', type: 'int' },
  { name: 'variant', type: 'string' },
  { name: 'predictionids', type: 'array<string>' },
  { name: 'part', type: 'int' },
  { name: 'parts', type: 'int' },
  { name: 'capturedata', type: `struct<endpointinput:${payload},endpointoutput:${payload}>` },
  { name: 'eventmetadata', type: 'struct<eventid:string,inferenceid:string,inferencetime:string>' },
  { name: 'eventversion', type: 'string' },
];

/** The feedback records' fields (lambdas/feedback/feedback.ts), lower-cased likewise. */
const FEEDBACK_COLUMNS: glue.CfnTable.ColumnProperty[] = [
  { name: 'mlopsrecord', type: 'string' },
  { name: 'model', type: 'string' },
  { name: 'predictionid', type: 'string' },
  { name: 'groundtruthdata', type: 'struct<data:string,encoding:string,observedcontenttype:string>' },
  { name: 'eventmetadata', type: 'struct<eventid:string,inferenceid:string>' },
  { name: 'receivedat', type: 'string' },
  { name: 'eventversion', type: 'string' },
];

/**
 * Glue tables over the capture and feedback records, with partition projection (no crawler, no partitions to add):
 * `model_partition` is one of the models, `dt` an hour `yyyy-MM-dd-HH`. Athena joins predictions with their truth on
 * the prediction id (the named query `capture-with-feedback` shows how).
 */
export class CaptureCatalog extends Construct {
  public readonly database: glue.CfnDatabase;
  public readonly captureTable: glue.CfnTable;
  public readonly feedbackTable: glue.CfnTable;
  public readonly databaseName: string;

  constructor(scope: Construct, id: string, props: CaptureCatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = `${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_capture`;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: this.databaseName, description: 'serverless-mlops request capture and ground truth' },
    });
    this.captureTable = this.addTable(props, 'CaptureTable', 'capture', LAYOUT.capture, CAPTURE_COLUMNS);
    this.feedbackTable = this.addTable(props, 'FeedbackTable', 'feedback', LAYOUT.feedback, FEEDBACK_COLUMNS);
    const query = new athena.CfnNamedQuery(this, 'CaptureWithFeedback', {
      name: 'capture-with-feedback',
      database: this.databaseName,
      description: 'Each captured prediction with its ground truth, joined on the prediction id (one model, one day)',
      queryString: [
        'SELECT c.eventmetadata.inferencetime AS at, c.version, c.variant, p.id AS prediction_id, f.groundtruthdata.data AS truth',
        'FROM capture c CROSS JOIN UNNEST(c.predictionids) AS p(id)',
        'LEFT JOIN feedback f ON f.predictionid = p.id AND f.model_partition = c.model_partition',
        "WHERE c.model_partition = 'MODEL' AND c.dt LIKE '2026-01-01%'",
      ].join('\n'),
    });
    query.addResourceDependency(this.database);
  }

  /** A JSON table under `prefix`, partitioned by model and hour through projection (the models listed, hours since 2024). */
  private addTable(
    props: CaptureCatalogProps,
    tableId: string,
    name: string,
    prefix: string,
    columns: glue.CfnTable.ColumnProperty[],
  ): glue.CfnTable {
    const stack = Stack.of(this);
    const created = new glue.CfnTable(this, tableId, {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'model_partition', type: 'string' },
          { name: 'dt', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.model_partition.type': 'enum',
          'projection.model_partition.values': props.models.join(','),
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd-HH',
          'projection.dt.range': '2024-01-01-00,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'HOURS',
          'storage.location.template': `s3://${props.bucket.bucketName}/${prefix}model=\${model_partition}/dt=\${dt}/`,
        },
        storageDescriptor: {
          location: `s3://${props.bucket.bucketName}/${prefix}`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: JSON_SERDE,
          columns,
        },
      },
    });
    created.addResourceDependency(this.database);
    return created;
  }
}
