import type { LocalRule } from './event-bus.js';
import type { InputTransformer } from './input-transformer.js';
import type { LocalResources } from '../template.js';

/** The template's rules on the default bus that are enabled, with their targets as EventBridge delivers to them. */
export function loadRules(resources: LocalResources): LocalRule[] {
  return resources.ofType('AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const props = resources.resolve(resource.Properties ?? {}) as {
      EventPattern?: Record<string, unknown>;
      State?: string;
      EventBusName?: string;
      Targets?: { Id: string; Arn: string; Input?: string; InputPath?: string; InputTransformer?: InputTransformer }[];
    };
    if (
      props.EventPattern === undefined ||
      props.State === 'DISABLED' ||
      (props.EventBusName ?? 'default') !== 'default'
    )
      return [];
    return [
      {
        name: resources.physicalName(logicalId),
        arn: resources.arn(logicalId),
        pattern: props.EventPattern,
        targets: (props.Targets ?? []).map((target) => ({
          id: target.Id,
          arn: target.Arn,
          ...(target.Input ? { input: target.Input } : {}),
          ...(target.InputPath ? { inputPath: target.InputPath } : {}),
          ...(target.InputTransformer ? { inputTransformer: target.InputTransformer } : {}),
        })),
      },
    ];
  });
}
