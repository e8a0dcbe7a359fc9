/** EventBridge API destinations (webhooks) and the auth headers their connections add. */
import { arnOf, record, Recorded, str } from "./recorded";

/** An EventBridge API destination (a webhook). */
export interface LocalApiDestination {
  /** The logical name. */
  name: string;
  /** Its ARN. */
  arn: string;
  /** The endpoint it calls. */
  endpoint: string;
  /** The HTTP method. */
  method: string;
  /** Headers its connection adds (API key, basic auth); OAuth is not reproduced. */
  headers: Record<string, string>;
  /** How the connection authenticates. */
  authorization: string;
}

/** Every API destination, with its connection's headers. */
export function readApiDestinations(recorded: Recorded): LocalApiDestination[] {
  const connections = new Map(
    recorded.of("aws:cloudwatch/eventConnection:EventConnection").map((c) => [arnOf(c), c]),
  );
  return recorded.of("aws:cloudwatch/eventApiDestination:EventApiDestination").map((d) => {
    const connection = connections.get(str(d.inputs.connectionArn) ?? "");
    const authorization = str(connection?.inputs.authorizationType) ?? "NONE";
    const auth = record(connection?.inputs.authParameters);
    const headers: Record<string, string> = {};
    const apiKey = record(auth.apiKey);
    if (authorization === "API_KEY" && typeof apiKey.key === "string" && typeof apiKey.value === "string") {
      headers[apiKey.key] = apiKey.value;
    }
    const basic = record(auth.basic);
    if (
      authorization === "BASIC" &&
      typeof basic.username === "string" &&
      typeof basic.password === "string"
    ) {
      headers.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString("base64")}`;
    }
    return {
      name: d.name,
      arn: arnOf(d),
      endpoint: str(d.inputs.invocationEndpoint) ?? "",
      method: str(d.inputs.httpMethod) ?? "POST",
      headers,
      authorization,
    };
  });
}
