import { strict as assert } from "node:assert";
import { closestEventSelector, resolveEventSelectors } from "../../model/eventTypes";

const ACCEPTED =
  "Use a friendly name (created, removed, restored, tagging, acl, lifecycle, lifecycle-expiration, " +
  "lifecycle-transition, intelligent-tiering, replication, reduced-redundancy-lost) or an exact S3 event type " +
  'such as "s3:ObjectCreated:Put" or "s3:ObjectCreated:*".';

describe("event names: did you mean", () => {
  it("suggests the closest valid name for a misspelt one", () => {
    const cases: [string, string | undefined][] = [
      ["s3:ObjectCreated:Putt", "s3:ObjectCreated:Put"],
      ["s3:objectcreated:put", "s3:ObjectCreated:Put"],
      ["ObjectRemoved:Delete", "s3:ObjectRemoved:Delete"],
      ["s3:ObjectCreated", "s3:ObjectCreated:*"],
      ["ObjectCreated", "s3:ObjectCreated:*"],
      ["Created", "created"],
      ["craeted", "created"],
      ["remove", "removed"],
      ["s3:ObjectRestore:Complete", "s3:ObjectRestore:Completed"],
      ["s3:LifecycleTransitions", "s3:LifecycleTransition"],
      ["lifecycle_expiration", "lifecycle-expiration"],
      ["banana", undefined],
      ["s3:Bucket:Created", undefined],
    ];
    assert.deepEqual(
      cases.map(([typo]) => [typo, closestEventSelector(typo)]),
      cases,
    );
  });

  it("says it in the error a JavaScript caller gets, after what is accepted", () => {
    assert.throws(
      () => resolveEventSelectors(["created", "s3:ObjectCreated:Putt"], 'Bucket "b", route "r"'),
      {
        message: `Bucket "b", route "r": unknown event type "s3:ObjectCreated:Putt". ${ACCEPTED} Did you mean "s3:ObjectCreated:Put"?`,
      },
    );
    assert.throws(() => resolveEventSelectors(["banana"], 'Bucket "b", route "r"'), {
      message: `Bucket "b", route "r": unknown event type "banana". ${ACCEPTED}`,
    });
  });
});
