import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishToTopic, snsSubject, TopicPublishError } from '../../lambdas/shared/adapters/topic-publisher.js';
import { LocalSnsApi } from '../../local/sns/sns-api.js';
import { LOCAL_CREDENTIALS } from '../../local/storage/emulators.js';

/** SNS Publish from a function (a signed Query-protocol request) against the local runtime's SNS API. */
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:ServerlessMlops-AlarmsTopic';
const delivered: { topicArn: string; subject: string; message: string }[] = [];
const api = new LocalSnsApi(
  { arns: () => [TOPIC], publish: (topicArn, subject, message) => delivered.push({ topicArn, subject, message }) },
  LOCAL_CREDENTIALS,
);
let env: Record<string, string>;

beforeAll(async () => {
  const port = await api.listen(0);
  env = {
    AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
});

afterAll(() => api.close());

describe('SNS Publish, signed, against the local SNS API', () => {
  it('delivers the message to the topic and answers its message id', async () => {
    const id = await publishToTopic(
      { topicArn: TOPIC, subject: 'incident 1 (adult) opened', message: 'incident 1 (adult): likely source — …' },
      env,
    );
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivered.at(-1)).toEqual({
      topicArn: TOPIC,
      subject: 'incident 1 (adult) opened',
      message: 'incident 1 (adult): likely source — …',
    });
  });

  it('refuses a topic the stack does not have (NotFound, no retry helps) and a bad signature (403)', async () => {
    const unknown = publishToTopic({ topicArn: `${TOPIC}-gone`, subject: 's', message: 'm' }, env);
    await expect(unknown).rejects.toThrow(/NotFound: Topic does not exist/);
    await expect(unknown).rejects.toMatchObject({ retryable: false });
    const forged = publishToTopic(
      { topicArn: TOPIC, subject: 's', message: 'm' },
      { ...env, AWS_SECRET_ACCESS_KEY: 'x' },
    );
    await expect(forged).rejects.toThrow(/InvalidClientTokenId/);
    await expect(publishToTopic({ topicArn: TOPIC, subject: 's', message: 'm' }, {})).rejects.toBeInstanceOf(
      TopicPublishError,
    );
  });

  it('makes any subject one SNS accepts: printable ASCII, at most 100 characters', () => {
    expect(snsSubject('incident 1 — résumé\nsecond line')).toBe('incident 1 - r-sum- second line');
    expect(snsSubject('x'.repeat(150))).toBe(`${'x'.repeat(97)}...`);
  });
});
