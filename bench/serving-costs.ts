import { round } from './stats.js';

/**
 * Monthly cost on paper for 1M and 100M predictions, from measured handler durations. List prices, us-east-1, as
 * published on the AWS pricing pages (not fetched here: this machine has no internet; check them before quoting).
 */
export const PRICES = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  httpApiPerMillionRequests: 1.0,
  logsIngestionPerGb: 0.5,
  firehoseIngestionPerGb: 0.029,
  firehoseDynamicPartitioningPerGb: 0.02,
  sagemakerMlM5LargePerHour: 0.115,
  /** Serverless Inference, 2 GB of memory (the size closest to predict's 1,769 MB). */
  sagemakerServerless2GbPerSecond: 0.00004,
  sagemakerDataProcessedPerGb: 0.016,
} as const;

const HOURS_PER_MONTH = 730;
/** Lambda bills whole milliseconds. */
const billedSeconds = (ms: number) => Math.ceil(ms) / 1000;

export interface CostInputs {
  /** Warm handler duration (ms) of a 1-instance and a 100-instance request. */
  readonly warmMs1: number;
  readonly warmMs100: number;
  readonly memoryMb: number;
  /** Capture record size of a 1-instance request, bytes (request, answer and envelope). @default 1200 */
  readonly captureBytes?: number;
}

/** One request per prediction (the worst case for per-request charges), all captured. */
export function monthlyCosts(inputs: CostInputs): Record<string, unknown> {
  const gb = inputs.memoryMb / 1024;
  const captureGb = (inputs.captureBytes ?? 1200) / 1e9;
  const row = (predictions: number) => {
    const millions = predictions / 1e6;
    const lambda =
      predictions * billedSeconds(inputs.warmMs1) * gb * PRICES.lambdaArmPerGbSecond +
      millions * PRICES.lambdaPerMillionRequests;
    const api = millions * PRICES.httpApiPerMillionRequests;
    const capture =
      predictions *
      captureGb *
      (PRICES.logsIngestionPerGb + PRICES.firehoseIngestionPerGb + PRICES.firehoseDynamicPartitioningPerGb);
    // SageMaker real-time: two instances for availability across zones, enough for this traffic on one model.
    const realtime = 2 * HOURS_PER_MONTH * PRICES.sagemakerMlM5LargePerHour;
    // Serverless Inference: the same compute time (generous to it: its container overhead is not counted).
    const serverless =
      predictions * (inputs.warmMs1 / 1000) * PRICES.sagemakerServerless2GbPerSecond +
      predictions * 2e-6 * PRICES.sagemakerDataProcessedPerGb;
    return {
      serverless_mlops: {
        lambda: round(lambda, 2),
        http_api: round(api, 2),
        capture_logs_and_firehose: round(capture, 2),
        total: round(lambda + api + capture, 2),
      },
      sagemaker_realtime_2x_ml_m5_large: round(realtime, 2),
      sagemaker_serverless_2gb: round(serverless, 2),
    };
  };
  return {
    assumptions: `one prediction per request at the measured warm duration (${round(inputs.warmMs1, 3)} ms, billed ${Math.ceil(inputs.warmMs1)} ms) on ${inputs.memoryMb} MB arm64; every request captured (~${inputs.captureBytes ?? 1200} bytes); idle cost of serverless-mlops is zero; batching 100 per request would cut the per-request charges 100× (100 instances take ${round(inputs.warmMs100, 3)} ms)`,
    prices_usd: PRICES,
    per_month_1M_predictions: row(1e6),
    per_month_100M_predictions: row(1e8),
  };
}
