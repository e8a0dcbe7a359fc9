/**
 * Step Functions policies: a state machine's definition is valid Amazon States Language, checked
 * with the same function the StateMachineTarget component uses (`asl-validator`), so a definition
 * written by hand on an `aws.sfn.StateMachine` is refused before deploy too.
 */
import * as aws from "@pulumi/aws";
import { definitionProblems } from "../components/stateLanguage";
import { label, ResourceRecord, str } from "./records";
import { resourcePolicy } from "./policy";

// ---------------------------------------------------------------------------------------------
// sfn-state-machine-definition-valid

/** The message for a state machine whose (known) definition Step Functions would refuse. */
export function stateMachineDefinitionMessages(r: ResourceRecord): string[] {
  const definition = str(r.props.definition);
  if (definition === undefined) return [];
  const problems = definitionProblems(definition);
  if (problems.length === 0) return [];
  return [
    `${label(r)}: definition is not valid Amazon States Language: ${problems.join("; ")}. Step Functions refuses ` +
      `it at deploy time (InvalidDefinition). Fix the definition: JSON with StartAt and States, every StartAt, ` +
      `Next and Default naming a state, and a terminal state.`,
  ];
}

/** Checks whether every Step Functions state machine's definition is valid Amazon States Language. */
export const sfnStateMachineDefinitionValid = resourcePolicy(
  {
    name: "sfn-state-machine-definition-valid",
    description:
      "Checks whether every Step Functions state machine's definition is valid Amazon States Language (JSON, state types, StartAt/Next targets that exist).",
    enforcementLevel: "mandatory",
  },
  aws.sfn.StateMachine,
  stateMachineDefinitionMessages,
);
