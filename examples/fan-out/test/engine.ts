/** The offline engine, installed once per test process before any program is loaded. */
import { installMockEngine } from "s3-event-routes/testing";

export const ACCOUNT = "123456789012";
export const PROJECT = "example-fan-out";

installMockEngine({
  project: PROJECT,
  stack: "test",
  accountId: ACCOUNT,
  region: "us-east-1",
  config: {
    [`${PROJECT}:partnerUrl`]: "https://partner.example.com/s3-events",
    [`${PROJECT}:partnerApiKey`]: "test-api-key",
  },
  secretKeys: [`${PROJECT}:partnerApiKey`],
});
