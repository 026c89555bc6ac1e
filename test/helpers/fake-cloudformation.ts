import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the two AWS Query-protocol calls `--stack` mode makes before it talks to S3, DynamoDB and
 * the API: CloudFormation DescribeStacks (the outputs) and STS GetCallerIdentity (the actor). Test double only.
 */
export async function startFakeCloudFormation(
  stackName: string,
  outputs: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const reply = (status: number, xml: string) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(xml);
      };
      if (form.get('Action') === 'GetCallerIdentity') {
        return reply(
          200,
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::000000000000:assumed-role/smoke/ci</Arn><UserId>AROA:ci</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      }
      if (form.get('Action') === 'DescribeStacks' && form.get('StackName') === stackName) {
        const members = Object.entries(outputs)
          .map(
            ([k, v]) => `<member><OutputKey>${escape(k)}</OutputKey><OutputValue>${escape(v)}</OutputValue></member>`,
          )
          .join('');
        return reply(
          200,
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${escape(stackName)}</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      }
      return reply(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escape(form.get('StackName') ?? '')} does not exist</Message></Error><RequestId>3</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
