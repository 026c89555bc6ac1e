import { describe, expect, it } from 'vitest';
import { LocalResources } from '../../local/template.js';

const resources = new LocalResources(
  {
    Resources: {
      Data: { Type: 'AWS::S3::Bucket' },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'named' } },
      Fn: { Type: 'AWS::Lambda::Function' },
      Machine: { Type: 'AWS::StepFunctions::StateMachine' },
      Api: { Type: 'AWS::ApiGatewayV2::Api' },
    },
  },
  { stackName: 'Stack', region: 'us-east-1', account: '000000000000', apiUrl: 'http://127.0.0.1:3000' },
);

describe('template resolution', () => {
  it('gives CloudFormation-like names and ARNs', () => {
    expect(resources.resolve({ Ref: 'Data' })).toBe('stack-data');
    expect(resources.resolve({ Ref: 'Table' })).toBe('named');
    expect(resources.resolve({ Ref: 'Machine' })).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:Stack-Machine',
    );
    expect(resources.resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:Stack-Fn',
    );
    expect(resources.resolve({ 'Fn::GetAtt': ['Api', 'ApiEndpoint'] })).toBe('http://127.0.0.1:3000');
  });

  it('resolves Join, Select, Split and Sub, inside nested values', () => {
    const value = {
      a: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Data' }, '/*']] },
      b: [{ 'Fn::Select': [1, { 'Fn::Split': ['-', 'x-y-z'] }] }],
      c: { 'Fn::Sub': ['${Data}/${AWS::Region}/${Extra}', { Extra: 'e' }] },
    };
    expect(resources.resolve(value)).toEqual({ a: 'arn:aws:s3:::stack-data/*', b: ['y'], c: 'stack-data/us-east-1/e' });
  });

  it('fails loudly on what it cannot resolve', () => {
    expect(() => resources.resolve({ 'Fn::ImportValue': 'x' })).toThrow('cannot resolve Fn::ImportValue');
    expect(() => resources.resolve({ 'Fn::GetAtt': ['Data', 'RegionalDomainName'] })).toThrow(
      'cannot resolve Fn::GetAtt Data.RegionalDomainName',
    );
  });
});
