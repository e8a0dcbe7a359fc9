/** Step Functions state machines and their definitions. */
import { arnOf, Recorded, str } from "./recorded";

/** A Step Functions state machine. */
export interface LocalStateMachine {
  /** The logical name. */
  name: string;
  /** Its ARN. */
  arn: string;
  /** Its Amazon States Language definition. */
  definition: Record<string, unknown>;
}

/** Every state machine whose definition is known. */
export function readStateMachines(recorded: Recorded): LocalStateMachine[] {
  return recorded.of("aws:sfn/stateMachine:StateMachine").flatMap((m) => {
    const definition = str(m.inputs.definition);
    return definition
      ? [{ name: m.name, arn: arnOf(m), definition: JSON.parse(definition) as Record<string, unknown> }]
      : [];
  });
}
