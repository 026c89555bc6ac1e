import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { suppress } from './compliance.js';
import { DeadLetterQueue } from './secure-defaults.js';

/**
 * A topic people are told through (pages, alarm changes, the tiers of an incident's response): TLS only, encrypted
 * with the stack's key when it has one.
 */
export function secureTopic(scope: Construct, id: string, displayName: string, encryptionKey?: kms.IKey): sns.Topic {
  const topic = new sns.Topic(scope, id, {
    displayName,
    enforceSSL: true,
    ...(encryptionKey ? { masterKey: encryptionKey } : {}),
  });
  if (!encryptionKey) {
    suppress(topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and the messages carry alarm and incident summaries only. With customerManagedKey the topic is encrypted with the stack key.',
      },
    ]);
  }
  return topic;
}

/**
 * E-mail subscribers of a topic (each must confirm), their undeliverable messages (bounced or unconfirmed addresses)
 * kept in a dead-letter queue instead of being lost. Answers the queue, or nothing without addresses.
 */
export function subscribeEmails(
  scope: Construct,
  id: string,
  topic: sns.Topic,
  emails: readonly string[] | undefined,
  encryptionKey?: kms.IKey,
): sqs.Queue | undefined {
  if (!emails?.length) return undefined;
  const deadLetterQueue = new DeadLetterQueue(scope, id, {
    deadLetterOf: `the e-mail subscriptions of ${topic.node.path}`,
    ...(encryptionKey ? { encryptionKey } : {}),
  }).queue;
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue }));
  return deadLetterQueue;
}
