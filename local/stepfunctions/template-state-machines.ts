import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { LocalFunction } from '../lambda/host.js';
import { LocalStateMachine, type MachineContext } from './state-machine.js';
import type { LocalResources } from '../template.js';

/** Every state machine of the template, its tasks routed to the local functions. */
export function loadStateMachines(
  resources: LocalResources,
  functionsByArn: ReadonlyMap<string, LocalFunction>,
  logDir: string,
  context: MachineContext,
): Map<string, LocalStateMachine> {
  const machines = new Map<string, LocalStateMachine>();
  for (const [logicalId, resource] of resources.ofType('AWS::StepFunctions::StateMachine')) {
    const definition = JSON.parse(
      String(resources.resolve(resource.Properties?.DefinitionString)),
    ) as StateMachineDefinition;
    const arn = resources.arn(logicalId);
    machines.set(
      arn,
      new LocalStateMachine(arn, resources.physicalName(logicalId), definition, functionsByArn, logDir, context),
    );
  }
  return machines;
}
